import type { Clock } from '../../shared/domain/ports';

/** A clock that moves only when told to. */
export class FixedClock implements Clock {
  private ms: number;

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  set(at: Date | string): void {
    this.ms = new Date(at).getTime();
  }

  advance(seconds: number): Date {
    this.ms += seconds * 1000;
    return this.now();
  }
}
