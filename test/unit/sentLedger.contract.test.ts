/**
 * This process's sent-ledger (InProcessLedger) against the SentLedger contract the Redis ledger is held to
 * (test/fidelity/ledger.redis.test.ts): one ledger, two handles on it for two runs.
 */
import { InProcessLedger } from '../../nodes/shared/campaign/sentLedger';
import { sentLedgerContract } from '../helpers/sentLedgerContract';

describe('InProcessLedger: the SentLedger contract', () => {
	const ledger = new InProcessLedger();
	sentLedgerContract(() => ({ a: ledger, b: ledger }));

	it('a claim of this process is never stale, and always taken as possibly leaving (it cannot tell)', async () => {
		expect(await ledger.claim('campaign:wf:autumn', '+905012345678')).toEqual({ claimed: true });
		expect(await ledger.claim('campaign:wf:autumn', '+905012345678')).toEqual({ claimed: false, pending: { since: expect.any(String), stale: false, leaving: true } });
	});
});
