/**
 * Sending one WhatsApp message as Send WhatsApp does (and as a campaign or an approval will): the template checked
 * before anything goes (it exists, every variable has a value, WhatsApp approved it unless the window allows it), the
 * 24-hour window asked for when a free-form message is meant, and then the message, the template instead, or a clear
 * refusal, with retries that never send twice. Look-ups send nothing: one that gets no answer is a look-up that
 * failed, never an "ambiguous" send.
 */
import { NodeOperationError, sleep, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { deliver, DeliveryFailure } from './delivery';
import type { RetrySettings } from './descriptions/retryOptions';
import { oncePerExecution } from './memo';
import type { Provider, ProviderContext, ProviderMessage } from './providers/types';
import type { TemplateChoice, WhatsAppCapability, WhatsAppRequest, WhatsAppTemplate, WindowState } from './providers/whatsappTypes';
import { clip, describeCode, ProviderError } from './rules/errors';
import { findBrokenCharacter } from './rules/segments';
import { providerContext } from './transport';

export type WhatsAppProvider = Provider & { whatsapp: WhatsAppCapability };

/** What to do with a free-form message outside the 24-hour window. */
export type OutsideWindow = 'fail' | 'template' | 'send';

/** A template as it will be sent: the variables the provider needs, and what the provider said of it. */
export interface ResolvedTemplate {
	request: WhatsAppRequest;
	template?: WhatsAppTemplate;
}

const nothingSent = 'Nothing was sent.';

/** A look-up (history, template, approval, status) with the retry settings; a look-up that got no answer sent nothing. */
export async function lookUp<T>(fns: IExecuteFunctions, provider: WhatsAppProvider, itemIndex: number, retry: RetrySettings, what: string, ask: (ctx: ProviderContext) => Promise<T>): Promise<T> {
	try {
		const found = await deliver([provider], async (p) => await ask(await providerContext(fns, p, itemIndex, retry.timeoutMs)), { policy: retry.policy, sleep });
		return found.value;
	} catch (caught) {
		// The provider's error itself (a look-up's attempts are not a send's): one that got no answer sent nothing.
		const failure = caught instanceof DeliveryFailure ? caught.error : caught;
		if (failure instanceof ProviderError && failure.ambiguous) {
			throw new ProviderError({ provider, kind: 'network', message: `${provider.label} did not answer ${what}: ${nothingSent}`, detail: failure.detail ?? failure.message });
		}
		throw failure;
	}
}

/** The window as the provider's history tells it, asked with retries. */
export async function windowOf(fns: IExecuteFunctions, provider: WhatsAppProvider, itemIndex: number, retry: RetrySettings, request: WhatsAppRequest): Promise<WindowState> {
	return await lookUp(fns, provider, itemIndex, retry, 'when the customer last wrote', (ctx) => provider.whatsapp.window(ctx, request));
}

/** The window's refusal in the provider's own words (from its code table). */
export function windowSentence(provider: WhatsAppProvider): string {
	return describeCode(provider, provider.whatsapp.codes, provider.whatsapp.windowCode) as string;
}

/** Why a template WhatsApp has not approved cannot go, in the same words for every provider. */
function notApproved(label: string, name: string, state: string, reason: string | null): string {
	const why = reason ? `: ${reason.replace(/[.\s]+$/, '')}` : '';
	return `${label} "${name}" is not approved for WhatsApp (${state}${why}); outside the 24-hour window WhatsApp delivers approved templates only`;
}

function refuse(fns: IExecuteFunctions, itemIndex: number, message: string, description = nothingSent): never {
	throw new NodeOperationError(fns.getNode(), message, { itemIndex, description });
}

/** A value mapped from the input item by a variable's name: text, a number or a boolean written out. */
function mappedText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
	return undefined;
}

export interface TemplateCheck {
	label: string;
	/** The template goes because the window is closed (a fallback): it must be approved, whatever the window. */
	asFallback?: boolean;
	/** When the node maps the variables automatically: the input item, whose fields are read by the variables' names. */
	fromItem?: IDataObject;
}

/**
 * The template request as it will be sent, or the item refused with the reason (nothing sent): a template the provider
 * does not have, a variable left empty, one WhatsApp has not approved (unless the window is open and the provider then
 * sends any content). Looked up once per execution. The variables sent are the template's own: a value left over from
 * another template is not sent.
 */
export async function resolveTemplate(fns: IExecuteFunctions, provider: WhatsAppProvider, itemIndex: number, retry: RetrySettings, request: WhatsAppRequest, check: TemplateCheck): Promise<ResolvedTemplate> {
	if (request.content.type !== 'template') return { request };
	const choice: TemplateChoice = request.content.template;
	const { label } = check;
	const templates = provider.whatsapp.templates;
	const approvedOrWindowOpen = async (approved: boolean) =>
		approved || (!check.asFallback && provider.whatsapp.unapprovedInWindow && (await windowOf(fns, provider, itemIndex, retry, request)) === 'open');
	if (templates.kind === 'byId') {
		const approvalOf = templates.approval;
		if (!approvalOf) return { request };
		const language = choice.language ?? '';
		let approval;
		try {
			approval = await oncePerExecution(fns, ['approval', provider.name, choice.id, language], () =>
				lookUp(fns, provider, itemIndex, retry, `whether WhatsApp approved the template "${choice.id.slice(0, 40)}"`, (ctx) => approvalOf.call(templates, ctx, choice.id, language)),
			);
		} catch (error) {
			// An access key without access to the templates' approval cannot tell: the provider decides when it sends.
			if (error instanceof ProviderError && error.kind === 'auth') return { request };
			throw error;
		}
		if (!approval) refuse(fns, itemIndex, `${label}: ${provider.label} has no WhatsApp template "${choice.id.slice(0, 40)}" in ${language.slice(0, 20) || 'this language'}`, `Check the template's name and language in the ${provider.label} dashboard. ${nothingSent}`);
		if (!(await approvedOrWindowOpen(approval.approved))) refuse(fns, itemIndex, notApproved(label, choice.id.slice(0, 40), approval.state, approval.reason));
		const variables: Record<string, string> = Object.assign(Object.create(null), choice.variables);
		// Every value the body takes, or the template would go with a hole in it (and WhatsApp refuse it later).
		const missing = Array.from({ length: approval.bodyValues ?? 0 }, (_, n) => n + 1).filter((n) => !Object.hasOwn(variables, templates.bodyKey(n)));
		if (missing.length) {
			refuse(fns, itemIndex, `${label} "${clip(choice.id, 40)}" needs a value for ${missing.map((n) => `{{${n}}}`).join(', ')}: it takes ${approval.bodyValues}`, `Add them to the Body Values, in order. ${nothingSent}`);
		}
		// WhatsApp wants a payload for each quick-reply button: one not given comes back as the button's own text.
		(approval.quickReplies ?? []).forEach((text, n) => {
			if (!Object.hasOwn(variables, templates.buttonKey(n + 1))) variables[templates.buttonKey(n + 1)] = text;
		});
		return { request: { ...request, content: { type: 'template', template: { ...choice, variables } } } };
	}
	const template = await oncePerExecution(fns, ['template', provider.name, choice.id], () =>
		lookUp(fns, provider, itemIndex, retry, `with the template ${choice.id.slice(0, 40)}`, (ctx) => templates.get(ctx, choice.id)),
	);
	if (!template) refuse(fns, itemIndex, `${label}: the ${provider.label} account has no template ${choice.id.slice(0, 40)}`, `Pick the template from the list (it shows the account's templates). ${nothingSent}`);
	// Own keys only, on an object without a prototype: a variable may be named "constructor" or "__proto__".
	const own = (from: Record<string, unknown>, name: string) => (Object.hasOwn(from, name) ? from[name] : undefined);
	const variables: Record<string, string> = Object.create(null);
	for (const variable of template.variables) {
		const value = check.fromItem ? mappedText(own(check.fromItem, variable.name)) : own(choice.variables, variable.name);
		if (typeof value !== 'string') continue;
		const broken = findBrokenCharacter(value);
		if (broken) refuse(fns, itemIndex, `${label} "${template.name}": the value of {{${clip(variable.name)}}} has a broken character at position ${broken} (half of an emoji or symbol)`, `Retype or remove the character there. ${nothingSent}`);
		variables[variable.name] = value;
	}
	const missing = template.variables.filter((variable) => (variables[variable.name] ?? '').trim() === '');
	if (missing.length) {
		refuse(
			fns,
			itemIndex,
			`${label} "${template.name}" needs a value for ${missing.map((v) => `{{${clip(v.name)}}}`).join(', ')}`,
			check.fromItem ? `The variables are mapped automatically: give the input item a text field named after each variable. ${nothingSent}` : nothingSent,
		);
	}
	if (!(await approvedOrWindowOpen(template.approval === 'approved'))) refuse(fns, itemIndex, notApproved(label, template.name, template.approval, template.rejectionReason));
	return { template, request: { ...request, content: { type: 'template', template: { ...choice, variables } } } };
}

export interface Sent {
	message: ProviderMessage;
	attempts: number;
	request: WhatsAppRequest;
	template?: WhatsAppTemplate;
}

/** One send with retries (never after an ambiguous failure). */
/** `secrets`: texts the message holds that must stay out of every answer and error (an answer link's token). */
async function sendWithRetries(fns: IExecuteFunctions, provider: WhatsAppProvider, itemIndex: number, resolved: ResolvedTemplate, retry: RetrySettings, secrets: readonly string[] = []): Promise<Sent> {
	const delivered = await deliver([provider], async (p) => await p.whatsapp.send(await providerContext(fns, p, itemIndex, retry.timeoutMs, secrets), resolved.request), { policy: retry.policy, sleep });
	return { message: delivered.value, attempts: delivered.attempts, request: resolved.request, template: resolved.template };
}

/** The one output of a WhatsApp send, in the shared shape with `channel: "whatsapp"`. */
export function whatsappOutput(provider: WhatsAppProvider, sent: Sent, extra: IDataObject = {}): IDataObject {
	const m = sent.message;
	const content = sent.request.content;
	const out: IDataObject = {
		provider: provider.name,
		messageId: m.messageId,
		status: m.status,
		providerStatus: m.providerStatus,
		to: sent.request.to,
		from: m.from ?? sent.request.from ?? sent.request.messagingServiceSid ?? null,
		channel: 'whatsapp',
		// WhatsApp is not cut into SMS segments.
		segments: null,
		encoding: null,
		type: content.type,
	};
	if (content.type === 'template') {
		out.template = { id: content.template.id, name: sent.template?.name ?? content.template.id, language: sent.template?.language ?? content.template.language ?? null };
	}
	if (m.price !== undefined) out.price = m.price;
	if (m.priceUnit !== undefined) out.priceUnit = m.priceUnit;
	out.fallbackUsed = false;
	Object.assign(out, extra);
	out.attempts = sent.attempts;
	out.sentAt = m.sentAt ?? null;
	if (!provider.whatsapp.status && provider.whatsapp.statusNote && m.status === 'accepted') out.hint = provider.whatsapp.statusNote;
	out.raw = m.raw;
	return out;
}

/** Send a template (checked already). */
export async function sendTemplateMessage(fns: IExecuteFunctions, provider: WhatsAppProvider, itemIndex: number, retry: RetrySettings, resolved: ResolvedTemplate, secrets: readonly string[] = []): Promise<IDataObject> {
	return whatsappOutput(provider, await sendWithRetries(fns, provider, itemIndex, resolved, retry, secrets));
}

/**
 * Send a free-form message as the window allows. `fail` and `template` ask the provider first: when the customer has
 * not written in 24 hours (or the history cannot be read), `template` sends the fallback (checked already, and approved:
 * it goes at any time), `fail` sends nothing and says why. `send` does not ask: the provider fails the message later.
 */
export async function sendFreeForm(
	fns: IExecuteFunctions,
	provider: WhatsAppProvider,
	itemIndex: number,
	retry: RetrySettings,
	plan: { request: WhatsAppRequest; outsideWindow: OutsideWindow; fallback?: ResolvedTemplate; secrets?: readonly string[] },
): Promise<IDataObject> {
	const { request, outsideWindow, fallback } = plan;
	const secrets = plan.secrets ?? [];
	if (outsideWindow === 'send') {
		return whatsappOutput(provider, await sendWithRetries(fns, provider, itemIndex, { request }, retry, secrets), { windowOpen: null, templateFallback: false });
	}
	let state: WindowState;
	let unreadable: ProviderError | undefined;
	try {
		state = await windowOf(fns, provider, itemIndex, retry, request);
	} catch (error) {
		if (!(error instanceof ProviderError)) throw error;
		state = 'unknown';
		unreadable = error;
	}
	if (state === 'open') return whatsappOutput(provider, await sendWithRetries(fns, provider, itemIndex, { request }, retry, secrets), { windowOpen: true, templateFallback: false });
	const reason = state === 'closed' ? 'no message from the customer in the last 24 hours' : 'whether the customer wrote in the last 24 hours could not be learnt';
	if (outsideWindow === 'template' && fallback) {
		return whatsappOutput(provider, await sendWithRetries(fns, provider, itemIndex, fallback, retry, secrets), { windowOpen: state === 'closed' ? false : null, templateFallback: true, templateFallbackReason: reason });
	}
	if (state === 'closed') {
		refuse(
			fns,
			itemIndex,
			`${windowSentence(provider)}.`,
			`${provider.label} has no message from ${request.to} to this sender in the last 24 hours. ${nothingSent} Choose Outside the 24-Hour Window → Send a Template Instead, or use Send Template.`,
		);
	}
	refuse(
		fns,
		itemIndex,
		`${provider.label} could not tell whether ${request.to} wrote in the last 24 hours, so the free-form message was not sent`,
		`${unreadable ? `${unreadable.message}. ` : ''}${nothingSent} Try again, or choose Outside the 24-Hour Window → Send a Template Instead (or Send Anyway).`,
	);
}
