import type { Logger } from '../../shared/domain/ports';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** Records every log line, for assertions such as "a malformed message was logged". */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];

  debug(message: string, fields?: Record<string, unknown>): void {
    this.push('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.push('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.push('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.push('error', message, fields);
  }

  has(fragment: string, level?: LogEntry['level']): boolean {
    return this.entries.some((e) => e.message.includes(fragment) && (level === undefined || e.level === level));
  }

  clear(): void {
    this.entries.length = 0;
  }

  private push(level: LogEntry['level'], message: string, fields?: Record<string, unknown>): void {
    this.entries.push(fields === undefined ? { level, message } : { level, message, fields });
  }
}
