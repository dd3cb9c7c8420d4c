import fc from 'fast-check';
import { CrossroleError, IllegalTransitionError } from '../../../shared/domain/errors';
import {
  ALL_STATUSES,
  REOPENING_TRANSITIONS,
  Status,
  TERMINAL_STATUSES,
  Transition,
  canTransition,
  isStatus,
  isTerminal,
  mayHoldRamResources,
  nextStatus,
  nextStatusFor,
  sourcesOf,
  targetOf,
} from '../../../shared/domain/state-machine';
import { httpStatusOf } from '../../../shared/runtime/http/response';

const TRANSITIONS = Object.values(Transition);

/**
 * The expected machine, written out independently of the implementation (ARCHITECTURE.md
 * "State machine"): transition -> [allowed sources, target].
 */
const EXPECTED: Record<Transition, { from: Status[]; to: Status }> = {
  APPROVE: { from: ['PENDING'], to: 'APPROVED' },
  SCHEDULE: { from: ['PENDING'], to: 'SCHEDULED' },
  START: { from: ['SCHEDULED'], to: 'APPROVED' },
  REJECT: { from: ['PENDING'], to: 'REJECTED' },
  CANCEL: { from: ['PENDING', 'SCHEDULED'], to: 'CANCELLED' },
  LAPSE: { from: ['PENDING'], to: 'LAPSED' },
  ACTIVATE: { from: ['APPROVED'], to: 'ACTIVE' },
  PROVISION_FAILED: { from: ['APPROVED'], to: 'FAILED' },
  RETRY: { from: ['FAILED'], to: 'APPROVED' },
  START_REVOKE: { from: ['ACTIVE', 'APPROVED', 'FAILED'], to: 'REVOKING' },
  FINISH_REVOKE: { from: ['REVOKING'], to: 'REVOKED' },
  REVOKE_FAILED: { from: ['REVOKING'], to: 'FAILED' },
  ESCALATE_DELETE: { from: ['REVOKED'], to: 'REVOKING' },
};

const table: Array<[Status, Transition, Status | null]> = [];
for (const s of ALL_STATUSES) {
  for (const t of TRANSITIONS) {
    const e = EXPECTED[t];
    table.push([s, t, e.from.includes(s) ? e.to : null]);
  }
}

describe('state machine', () => {
  it('knows exactly the ten statuses and thirteen transitions of the design', () => {
    expect([...ALL_STATUSES].sort()).toEqual(['ACTIVE', 'APPROVED', 'CANCELLED', 'FAILED', 'LAPSED', 'PENDING', 'REJECTED', 'REVOKED', 'REVOKING', 'SCHEDULED']);
    expect([...TRANSITIONS].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(table)('%s + %s', (from, transition, to) => {
    if (to === null) {
      it('is refused with IllegalTransitionError (409)', () => {
        expect(canTransition(from, transition)).toBe(false);
        let caught: unknown;
        try {
          nextStatus(from, transition, 'req-1');
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(IllegalTransitionError);
        const err = caught as IllegalTransitionError;
        expect(err.code).toBe('ILLEGAL_TRANSITION');
        expect(httpStatusOf(err.code)).toBe(409);
        expect(err.details).toEqual({ from, to: EXPECTED[transition].to, id: 'req-1' });
      });
    } else {
      it(`leads to ${to}`, () => {
        expect(canTransition(from, transition)).toBe(true);
        expect(nextStatus(from, transition)).toBe(to);
      });
    }
  });

  it('sourcesOf/targetOf agree with the table', () => {
    for (const t of TRANSITIONS) {
      expect([...sourcesOf(t)].sort()).toEqual([...EXPECTED[t].from].sort());
      expect(targetOf(t)).toBe(EXPECTED[t].to);
    }
  });

  it('terminal statuses have no way out but a person re-opening one, and every other status has one', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['CANCELLED', 'LAPSED', 'REJECTED', 'REVOKED']);
    expect(REOPENING_TRANSITIONS).toEqual(['ESCALATE_DELETE']);
    for (const s of ALL_STATUSES) {
      const outgoing = TRANSITIONS.filter((t) => canTransition(s, t) && !REOPENING_TRANSITIONS.includes(t));
      expect({ s, terminal: isTerminal(s) }).toEqual({ s, terminal: outgoing.length === 0 });
    }
  });

  it('a re-opened REVOKED grant can only be revoked again: REVOKING, then REVOKED or FAILED (retried as a revocation)', () => {
    expect(nextStatus(Status.REVOKED, Transition.ESCALATE_DELETE)).toBe(Status.REVOKING);
    const from = TRANSITIONS.filter((t) => canTransition(Status.REVOKING, t)).map((t) => nextStatus(Status.REVOKING, t)).sort();
    expect(from).toEqual(['FAILED', 'REVOKED']);
  });

  it('every status is reachable from PENDING', () => {
    const seen = new Set<Status>([Status.PENDING]);
    let frontier: Status[] = [Status.PENDING];
    while (frontier.length > 0) {
      const next: Status[] = [];
      for (const s of frontier) {
        for (const t of TRANSITIONS) {
          if (!canTransition(s, t)) continue;
          const to = nextStatus(s, t);
          if (!seen.has(to)) {
            seen.add(to);
            next.push(to);
          }
        }
      }
      frontier = next;
    }
    expect([...seen].sort()).toEqual([...ALL_STATUSES].sort());
  });

  it('isStatus accepts exactly the statuses', () => {
    for (const s of ALL_STATUSES) expect(isStatus(s)).toBe(true);
    for (const v of ['pending', 'DONE', '', null, undefined, 1, {}]) expect(isStatus(v)).toBe(false);
  });

  it('mayHoldRamResources covers every status between approval and the end of revocation', () => {
    const holding = ALL_STATUSES.filter(mayHoldRamResources).sort();
    expect(holding).toEqual(['ACTIVE', 'APPROVED', 'FAILED', 'REVOKING']);
  });

  it('property: random transition sequences stay inside the machine; refused ones throw and change nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL_STATUSES), fc.array(fc.constantFrom(...TRANSITIONS), { maxLength: 40 }), (start, seq) => {
        let status: Status = start;
        for (const t of seq) {
          const allowed = canTransition(status, t);
          let threw: unknown;
          let result: Status | undefined;
          try {
            result = nextStatus(status, t);
          } catch (e) {
            threw = e;
          }
          if (allowed) {
            expect(threw).toBeUndefined();
            expect(isStatus(result)).toBe(true);
            expect(result).toBe(EXPECTED[t].to);
            status = result as Status;
          } else {
            expect(threw).toBeInstanceOf(IllegalTransitionError);
            expect((threw as CrossroleError).code).toBe('ILLEGAL_TRANSITION');
          }
          expect(ALL_STATUSES).toContain(status);
        }
        // Once terminal, always terminal, unless a person re-opened it.
        if (isTerminal(start) && !seq.some((t) => REOPENING_TRANSITIONS.includes(t))) expect(status).toBe(start);
      }),
      { numRuns: 500 },
    );
  });
});

describe('nextStatusFor: the entity-level guard on RETRY', () => {
  it('retries a failed provisioning, but never re-provisions a grant whose revocation failed', () => {
    expect(nextStatusFor({ status: Status.FAILED }, Transition.RETRY)).toBe(Status.APPROVED);
    expect(() => nextStatusFor({ status: Status.FAILED, revokeMode: 'trust' }, Transition.RETRY)).toThrow(IllegalTransitionError);
    expect(nextStatusFor({ status: Status.FAILED, revokeMode: 'trust' }, Transition.START_REVOKE)).toBe(Status.REVOKING);
  });
});
