/**
 * Send with retries and fallback. Retries only what the provider never processed (rate limits, server
 * errors, refused connections); falls back to the next provider only on provider-side failures (after
 * its retries are spent, or at once on credentials/configuration); never on a recipient or content error,
 * and never after an ambiguous failure, which could send twice.
 */
import { ProviderError, type ProviderRef } from './rules/errors';
import { nextRetryDelay, type RetryPolicy } from './rules/retry';

export interface AttemptRecord {
	provider: string;
	attempt: number;
	ok: boolean;
	kind?: string;
	code?: string;
	httpStatus?: number;
	waitMs?: number;
}

export interface Delivered<T> {
	value: T;
	provider: string;
	/** Requests made, over every provider. */
	attempts: number;
	fallbackUsed: boolean;
	/** Why the earlier providers were left, in our words ("Twilio refused the credentials (Twilio 20003): …"). */
	fallbackReasons: string[];
	log: AttemptRecord[];
}

export class DeliveryFailure extends Error {
	readonly error: ProviderError;
	readonly attempts: number;
	readonly log: AttemptRecord[];
	readonly fallbackTried: boolean;

	constructor(error: ProviderError, log: AttemptRecord[], fallbackTried: boolean) {
		super(error.message);
		this.name = 'DeliveryFailure';
		this.error = error;
		this.log = log;
		this.attempts = log.length;
		this.fallbackTried = fallbackTried;
	}
}

/**
 * Thrown by a send that gave up before its request left (a campaign whose execution was canceled while it waited for
 * its turn): passed on as it is, never taken for an ambiguous failure.
 */
export class SendAbandoned extends Error {}

export interface DeliveryOptions {
	policy: RetryPolicy;
	sleep: (ms: number) => Promise<void>;
	random?: () => number;
}

/** Anything else that went wrong while sending may have happened after the request left: treat it as ambiguous. */
function asProviderError(caught: unknown, provider: ProviderRef): ProviderError {
	if (caught instanceof ProviderError) return caught;
	const detail = caught instanceof Error ? caught.message : String(caught);
	return new ProviderError({
		provider,
		kind: 'ambiguous',
		message: `Unexpected error while sending through ${provider.label}; the message may or may not have gone out, so it was not sent again`,
		detail,
	});
}

export async function deliver<T, P extends ProviderRef>(
	providers: P[],
	send: (provider: P) => Promise<T>,
	options: DeliveryOptions,
): Promise<Delivered<T>> {
	const log: AttemptRecord[] = [];
	const fallbackReasons: string[] = [];
	let last: ProviderError | undefined;
	for (let index = 0; index < providers.length; index++) {
		const provider = providers[index];
		for (let attempt = 1; ; attempt++) {
			let error: ProviderError;
			try {
				const value = await send(provider);
				log.push({ provider: provider.name, attempt, ok: true });
				return { value, provider: provider.name, attempts: log.length, fallbackUsed: index > 0, fallbackReasons, log };
			} catch (caught) {
				if (caught instanceof SendAbandoned) throw caught;
				error = asProviderError(caught, provider);
			}
			last = error;
			const record: AttemptRecord = { provider: provider.name, attempt, ok: false, kind: error.kind, code: error.code, httpStatus: error.httpStatus };
			log.push(record);
			if (!error.allowsFallback) throw new DeliveryFailure(error, log, index > 0);
			if (!error.retryable) break;
			const wait = nextRetryDelay(attempt, options.policy, error.retryAfterMs, options.random);
			if (wait === null) break;
			record.waitMs = wait;
			await options.sleep(wait);
		}
		// This provider gave up: say why, for the item of the provider that takes over.
		fallbackReasons.push((last as ProviderError).message);
	}
	// Every provider gave up on a provider-side failure.
	throw new DeliveryFailure(last as ProviderError, log, providers.length > 1);
}

