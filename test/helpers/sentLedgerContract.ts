/**
 * What every SentLedger (nodes/shared/campaign/sentLedger.ts) must do, as Jest tests to run against each:
 * `describe('…', () => sentLedgerContract(() => ({ a, b })))`. `a` and `b` stand for two runs of a campaign (two
 * executions, or two workers): handles on the same ledger. Each test uses a campaign of its own, so the ledger may be
 * shared by the whole file.
 *
 * Only what both ledgers promise: a ledger of this process has no owners (a claim of this process never goes stale,
 * and is always taken as possibly leaving), so who may release and what `leaving` marks are left to the Redis tests.
 */
import { randomUUID } from 'node:crypto';
import type { SentLedger, SentRecord } from '../../nodes/shared/campaign/sentLedger';

const campaign = () => `campaign:wf-${randomUUID()}:spring`;
const RECORD: SentRecord = { outcome: 'accepted', at: '2026-11-30T09:00:00.000Z', provider: 'twilio', messageId: 'SM0123456789abcdef0123456789abcdef', status: 'queued' };

export function sentLedgerContract(make: () => { a: SentLedger; b: SentLedger }): void {
	it('a recipient is claimed once: the other run finds a fresh pending claim, without a record', async () => {
		const { a, b } = make();
		const scope = campaign();
		const before = Date.now();
		expect(await a.claim(scope, '+905012345678')).toEqual({ claimed: true });
		const second = await b.claim(scope, '+905012345678');
		expect(second).toEqual({ claimed: false, pending: expect.objectContaining({ since: expect.any(String), stale: false, leaving: expect.any(Boolean) }) });
		const since = second.claimed === false ? Date.parse(String(second.pending?.since)) : NaN;
		// When it was claimed (a second either way for another clock).
		expect(since).toBeGreaterThanOrEqual(before - 1_000);
		expect(since).toBeLessThanOrEqual(Date.now() + 1_000);
		// The claimer itself is refused too: a claim is per recipient, not per run.
		expect((await a.claim(scope, '+905012345678')).claimed).toBe(false);
	});

	it('20 runs claiming one recipient at once: exactly one gets it', async () => {
		const { a, b } = make();
		const scope = campaign();
		const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claim(scope, '+905012345678')));
		expect(results.filter((r) => r.claimed)).toHaveLength(1);
	});

	it('settled: every later claim gets the record, exactly as written', async () => {
		const { a, b } = make();
		const scope = campaign();
		expect(await a.claim(scope, '+905012345678')).toEqual({ claimed: true });
		await a.settle(scope, '+905012345678', RECORD);
		expect(await b.claim(scope, '+905012345678')).toEqual({ claimed: false, record: RECORD });
		expect(await a.claim(scope, '+905012345678')).toEqual({ claimed: false, record: RECORD });
		const unknown: SentRecord = { outcome: 'unknown', at: '2026-11-30T09:00:01.000Z', provider: 'sns' };
		expect(await a.claim(scope, '+905012345679')).toEqual({ claimed: true });
		await a.settle(scope, '+905012345679', unknown);
		expect(await b.claim(scope, '+905012345679')).toEqual({ claimed: false, record: unknown });
	});

	it('released: the next run may claim it; a settled record is never released', async () => {
		const { a, b } = make();
		const scope = campaign();
		expect(await a.claim(scope, '+905012345678')).toEqual({ claimed: true });
		await a.release(scope, '+905012345678');
		expect(await b.claim(scope, '+905012345678')).toEqual({ claimed: true });
		await b.settle(scope, '+905012345678', RECORD);
		await b.release(scope, '+905012345678');
		await a.release(scope, '+905012345678');
		expect(await a.claim(scope, '+905012345678')).toEqual({ claimed: false, record: RECORD });
	});

	it('releasing what was never claimed is nothing', async () => {
		const { a } = make();
		const scope = campaign();
		await a.release(scope, '+905012345678');
		expect(await a.claim(scope, '+905012345678')).toEqual({ claimed: true });
	});

	it('campaigns and recipients are apart', async () => {
		const { a, b } = make();
		const [spring, autumn] = [campaign(), campaign()];
		expect(await a.claim(spring, '+905012345678')).toEqual({ claimed: true });
		expect(await b.claim(autumn, '+905012345678')).toEqual({ claimed: true });
		expect(await b.claim(spring, '+905012345679')).toEqual({ claimed: true });
		await a.settle(spring, '+905012345678', RECORD);
		expect((await b.claim(autumn, '+905012345678')).claimed).toBe(false);
		expect(await b.claim(autumn, '+905012345678')).not.toHaveProperty('record');
	});

	it('after leaving, a pending claim may have been sent: it says so', async () => {
		const { a, b } = make();
		const scope = campaign();
		expect(await a.claim(scope, '+905012345678')).toEqual({ claimed: true });
		expect(await a.claim(scope, '+905012345679')).toEqual({ claimed: true });
		await a.leaving(scope, ['+905012345678', '+905012345679']);
		await a.leaving(scope, []);
		for (const to of ['+905012345678', '+905012345679']) expect(await b.claim(scope, to)).toEqual({ claimed: false, pending: expect.objectContaining({ since: expect.any(String), stale: false, leaving: true }) });
	});

	it('takeOver: nothing to take of a fresh claim, a settled one, or none', async () => {
		const { a, b } = make();
		const scope = campaign();
		expect(await a.claim(scope, '+905012345678')).toEqual({ claimed: true });
		expect(await b.takeOver(scope, '+905012345678')).toBe(false);
		expect(await a.claim(scope, '+905012345679')).toEqual({ claimed: true });
		await a.settle(scope, '+905012345679', RECORD);
		expect(await b.takeOver(scope, '+905012345679')).toBe(false);
		expect(await b.takeOver(scope, '+905012345670')).toBe(false);
		// Nothing changed by trying.
		expect((await b.claim(scope, '+905012345678')).claimed).toBe(false);
		expect(await b.claim(scope, '+905012345679')).toEqual({ claimed: false, record: RECORD });
		expect(await b.claim(scope, '+905012345670')).toEqual({ claimed: true });
	});
}
