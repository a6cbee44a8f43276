/**
 * Twilio's Content API, as the sandbox plays it (content.twilio.com): content templates and their WhatsApp approval.
 * Create, fetch, list, delete; list with approvals; submit one to WhatsApp, which answers `received`, then `pending`,
 * then `approved` (or `rejected` when the name asks for it: it contains "reject"). The Messages API sends them by
 * ContentSid (see renderContent and twilioWhatsApp.ts). Paths, fields and answers follow the official SDK
 * (twilio/lib/rest/content/v1/*.js) and twilio.com/docs/content.
 */
import { json, jsonBody } from './http';
import { newId } from './state';
import { twilioError } from './twilioError';
import { SEEDED_AT, TWILIO_CONTENT_SEEDS, type ApprovalStatus, type ContentSeed } from './twilioContentSeeds';
import type { SandboxContext, SandboxRequest, SandboxResponse, WhatsAppButton } from './types';

export type { ApprovalStatus } from './twilioContentSeeds';

const HOST = 'https://content.twilio.com';
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;
/** /v1/Content, /v1/Content/HX…, /v1/Content/HX…/ApprovalRequests, /v1/Content/HX…/ApprovalRequests/whatsapp. */
const CONTENT_PATH = /^\/v1\/Content(?:\/([^/]+)(?:\/(ApprovalRequests)(?:\/(whatsapp))?)?)?$/;
const AND_APPROVALS = '/v1/ContentAndApprovals';
const CATEGORIES = ['UTILITY', 'MARKETING', 'AUTHENTICATION'];
/** How long WhatsApp takes to look at a template, before the time scale: received → pending → the verdict. */
export const APPROVAL_STEP_MS = 1500;
/** A variable in a template's text: {{1}}, {{first_name}} (no spaces, at most 16 characters per Twilio's docs). */
const PLACEHOLDER = /\{\{\s*([^{}\s]{1,16})\s*\}\}/g;
/** The content type WhatsApp shows, richest first; twilio/text is the fallback Twilio keeps beside a rich type. */
const WHATSAPP_TYPES = ['twilio/quick-reply', 'twilio/call-to-action', 'twilio/card', 'whatsapp/card', 'twilio/list-picker', 'twilio/carousel', 'twilio/media', 'twilio/location', 'twilio/text'];
/** What an SMS gets of a content: its text, else its media. */
const SMS_TYPES = ['twilio/text', 'twilio/media'];

interface Approval {
	name: string;
	category: string;
	status: ApprovalStatus;
	rejectionReason: string;
	allowCategoryChange: boolean;
}

export interface Content {
	sid: string;
	friendlyName: string;
	language: string;
	variables: Record<string, string>;
	types: Record<string, Record<string, unknown>>;
	createdAt: Date;
	updatedAt: Date;
	approval: Approval;
}

/** A content made ready to send: its text, media and quick-reply buttons with the variables in place. */
export interface RenderedContent {
	body: string;
	mediaUrls: string[];
	buttons: WhatsAppButton[];
	/** Every variable the content uses, with the value sent (given, or the template's sample). */
	variables: Record<string, string>;
}

export interface TwilioContentApi {
	matches(path: string): boolean;
	handle(req: SandboxRequest, authenticate: () => SandboxResponse | undefined): SandboxResponse;
	reset(): void;
	/** A content of the account, or undefined (unknown or deleted). */
	get(sid: string): Content | undefined;
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const invalid = (message: string) => twilioError(400, 20001, message);

/** The type WhatsApp would show of this content (what its approval is for). */
export function whatsappType(content: Pick<Content, 'types'>): string {
	return WHATSAPP_TYPES.find((type) => type in content.types) ?? Object.keys(content.types)[0] ?? 'twilio/text';
}

/**
 * ContentVariables as Twilio reads it: a JSON object given as a string, values strings (numbers and booleans pass
 * as their text). Undefined when it is invalid (Twilio's 21656): not JSON, not an object, or a value that is null,
 * empty or an object. No ContentVariables at all is an empty object.
 */
export function parseContentVariables(raw: string | null): Record<string, string> | undefined {
	if (raw === null) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch {
		return undefined;
	}
	if (!isRecord(parsed)) return undefined;
	const entries: Array<[string, string]> = [];
	for (const [name, value] of Object.entries(parsed)) {
		if (typeof value === 'number' || typeof value === 'boolean') entries.push([name, String(value)]);
		else if (typeof value === 'string' && value !== '') entries.push([name, value]);
		else return undefined;
	}
	return Object.fromEntries(entries);
}

/**
 * A content ready to send on a channel, or the name of a variable it uses that has neither a value nor a sample.
 * A variable the message leaves out gets the template's sample value, as Twilio does ("what your variables fall
 * back to when sending if variables aren't defined", twilio.com/docs/content/using-variables-with-content-api).
 */
export function renderContent(content: Content, given: Record<string, string>, channel: 'sms' | 'whatsapp'): RenderedContent | { missing: string } {
	const order = channel === 'whatsapp' ? WHATSAPP_TYPES : SMS_TYPES;
	const typeName = order.find((type) => type in content.types) ?? Object.keys(content.types).find((type) => typeof content.types[type]?.body === 'string');
	const type = typeName ? content.types[typeName] : {};
	// A Map, not an object: a variable may be named __proto__.
	const used = new Map<string, string>();
	let missing: string | undefined;
	const fill = (text: unknown): string =>
		typeof text !== 'string'
			? ''
			: text.replace(PLACEHOLDER, (whole, name: string) => {
					const value = Object.hasOwn(given, name) ? given[name] : Object.hasOwn(content.variables, name) ? content.variables[name] : undefined;
					if (value === undefined) {
						missing ??= name;
						return whole;
					}
					used.set(name, value);
					return value;
				});
	const body = fill(type.body ?? type.title);
	const mediaUrls = Array.isArray(type.media) ? type.media.map(fill).filter(Boolean) : [];
	// Only quick replies come back as a tap; call-to-action buttons open a URL or dial, nothing is posted.
	const actions = Array.isArray(type.actions) ? type.actions.filter(isRecord) : [];
	const buttons = actions
		.filter((a) => (a.type === undefined || a.type === 'QUICK_REPLY') && typeof a.title === 'string')
		.map((a) => ({ title: fill(a.title), payload: fill(typeof a.id === 'string' ? a.id : a.title) }));
	if (missing !== undefined) return { missing };
	return { body, mediaUrls, buttons, variables: Object.fromEntries(used) };
}

/** Why a `types` object cannot be stored, or undefined when it can. */
function typesProblem(types: unknown): string | undefined {
	if (!isRecord(types) || Object.keys(types).length === 0) return 'types is required: an object with at least one content type, e.g. {"twilio/text": {"body": "Hi {{1}}"}}';
	for (const [name, value] of Object.entries(types)) {
		if (!/^(twilio|whatsapp)\/[a-z-]+$/.test(name)) return `Unknown content type: ${name.slice(0, 60)}`;
		if (!isRecord(value)) return `The ${name} content type must be an object`;
		if ((name === 'twilio/text' || name === 'twilio/quick-reply' || name === 'twilio/call-to-action') && typeof value.body !== 'string') return `${name} requires a body (a string)`;
		if (typeof value.body === 'string' && value.body.length > 1600) return `The ${name} body is longer than 1600 characters`;
		if (name === 'twilio/media' && !(Array.isArray(value.media) && value.media.length > 0 && value.media.every((m) => typeof m === 'string'))) return 'twilio/media requires media: an array of URLs';
		if (name === 'twilio/quick-reply') {
			const actions = value.actions;
			if (!Array.isArray(actions) || actions.length < 1 || actions.length > 10) return 'twilio/quick-reply requires between 1 and 10 actions';
			if (!actions.every((a) => isRecord(a) && typeof a.title === 'string' && a.title.length > 0 && a.title.length <= 20)) return 'Each quick-reply action needs a title of 1 to 20 characters';
		}
	}
	return undefined;
}

function fromSeed(seed: ContentSeed): Content {
	const at = new Date(SEEDED_AT);
	return {
		sid: seed.sid,
		friendlyName: seed.friendlyName,
		language: seed.language,
		variables: { ...seed.variables },
		types: structuredClone(seed.types),
		createdAt: at,
		updatedAt: at,
		approval: seed.approval
			? { name: seed.approval.name, category: seed.approval.category, status: seed.approval.status, rejectionReason: seed.approval.rejectionReason ?? '', allowCategoryChange: true }
			: unsubmitted(),
	};
}

function unsubmitted(): Approval {
	return { name: '', category: '', status: 'unsubmitted', rejectionReason: '', allowCategoryChange: true };
}

/**
 * The origin the client called, for the page URLs it will follow: a client pointed at the sandbox keeps paging the
 * sandbox (Twilio's own answers name https://content.twilio.com there; resource `url`s still do here).
 */
function origin(req: SandboxRequest, fallback: string): string {
	const host = req.headers.host;
	return typeof host === 'string' && /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(host) ? `http://${host}` : fallback;
}

export function twilioContent(sandbox: SandboxContext): TwilioContentApi {
	const account = sandbox.accounts.twilio;
	const contents = new Map<string, Content>();

	function seed(): void {
		contents.clear();
		for (const s of TWILIO_CONTENT_SEEDS) contents.set(s.sid, fromSeed(s));
	}
	seed();

	function links(c: Content) {
		return { approval_create: `${HOST}/v1/Content/${c.sid}/ApprovalRequests/whatsapp`, approval_fetch: `${HOST}/v1/Content/${c.sid}/ApprovalRequests` };
	}

	function resource(c: Content) {
		return {
			account_sid: account.accountSid,
			date_created: iso(c.createdAt),
			date_updated: iso(c.updatedAt),
			friendly_name: c.friendlyName,
			language: c.language,
			links: links(c),
			sid: c.sid,
			types: c.types,
			url: `${HOST}/v1/Content/${c.sid}`,
			variables: c.variables,
		};
	}

	function approvalFields(c: Content) {
		const a = c.approval;
		return { name: a.name, category: a.category, content_type: whatsappType(c), status: a.status, rejection_reason: a.rejectionReason, allow_category_change: a.allowCategoryChange };
	}

	/** A page of a list, with Twilio's `meta` (key names the list). */
	function page(req: SandboxRequest, path: string, items: unknown[]): SandboxResponse {
		const pageSize = Math.min(500, Math.max(1, Math.floor(Number(req.query.get('PageSize') ?? 50)) || 50));
		const number = Math.min(1e6, Math.max(0, Math.floor(Number(req.query.get('Page') ?? 0)) || 0));
		const base = `${origin(req, sandbox.url)}${path}`;
		const at = (n: number) => `${base}?PageSize=${pageSize}&Page=${n}`;
		return json(200, {
			contents: items.slice(number * pageSize, (number + 1) * pageSize),
			meta: {
				page: number,
				page_size: pageSize,
				first_page_url: at(0),
				previous_page_url: number > 0 ? at(number - 1) : null,
				url: at(number),
				next_page_url: (number + 1) * pageSize < items.length ? at(number + 1) : null,
				key: 'contents',
			},
		});
	}

	function create(req: SandboxRequest): SandboxResponse {
		const body = jsonBody(req);
		if (!body) return invalid('The request body must be a JSON object');
		const { friendly_name: friendlyName = '', language, variables = {}, types } = body;
		if (typeof friendlyName !== 'string' || friendlyName.length > 1024) return invalid('friendly_name must be a string of at most 1024 characters');
		if (typeof language !== 'string' || !/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/.test(language)) return invalid('language is required: a language code such as en or pt_BR');
		if (!isRecord(variables) || !Object.values(variables).every((v) => typeof v === 'string')) return invalid('variables must be an object of variable names to sample values (strings)');
		if (Object.keys(variables).length > 100) return invalid('A content may have at most 100 variables');
		const problem = typesProblem(types);
		if (problem) return invalid(problem);
		const now = new Date();
		const c: Content = {
			sid: newId('HX'),
			friendlyName,
			language,
			variables: Object.fromEntries(Object.entries(variables as Record<string, string>)),
			types: structuredClone(types as Record<string, Record<string, unknown>>),
			createdAt: now,
			updatedAt: now,
			approval: unsubmitted(),
		};
		contents.set(c.sid, c);
		return json(201, resource(c));
	}

	/** WhatsApp's review: received now, pending a moment later, then the verdict. */
	function submit(req: SandboxRequest, c: Content): SandboxResponse {
		const body = jsonBody(req);
		if (!body) return invalid('The request body must be a JSON object');
		const { name, category } = body;
		if (typeof name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(name)) return invalid('name is required: lower-case letters, digits and underscores');
		if (typeof category !== 'string' || !CATEGORIES.includes(category.toUpperCase())) return invalid(`category is required: one of ${CATEGORIES.join(', ')}`);
		// Twilio's 92009: a content goes to WhatsApp once; to change it, make a new one.
		if (c.approval.status !== 'unsubmitted') return twilioError(400, 92009, 'The template associated with this SID has already been submitted for approval.');
		const allowCategoryChange = typeof body.allow_category_change === 'boolean' ? body.allow_category_change : true;
		c.approval = { name, category: category.toUpperCase(), status: 'received', rejectionReason: '', allowCategoryChange };
		c.updatedAt = new Date();
		const approval = c.approval;
		const step = (status: ApprovalStatus, rejectionReason = '') => () => {
			// A reset or a deletion since: this review is over.
			if (contents.get(c.sid)?.approval !== approval) return;
			Object.assign(approval, { status, rejectionReason });
		};
		sandbox.later(APPROVAL_STEP_MS, step('pending'));
		sandbox.later(
			2 * APPROVAL_STEP_MS,
			name.includes('reject')
				? step('rejected', 'The template does not follow WhatsApp’s guidelines (the sandbox rejects templates whose name contains "reject").')
				: step('approved'),
		);
		return json(201, { ...approvalFields(c), send_ttl_seconds: null });
	}

	return {
		matches: (path) => path === AND_APPROVALS || CONTENT_PATH.test(path) || path.startsWith('/v1/Content/'),
		reset: seed,
		get: (sid) => contents.get(sid),
		handle(req, authenticate) {
			const denied = authenticate();
			if (denied) return denied;
			const notAllowed = () => twilioError(405, 20004, `Method not allowed: ${req.method} on ${req.path.slice(0, 200)}`);
			if (req.path === AND_APPROVALS) {
				if (req.method !== 'GET') return notAllowed();
				// The same fields as a content, without url and links, with its WhatsApp approval.
				const items = [...contents.values()].map((c) => ({
					account_sid: account.accountSid,
					date_created: iso(c.createdAt),
					date_updated: iso(c.updatedAt),
					friendly_name: c.friendlyName,
					language: c.language,
					sid: c.sid,
					types: c.types,
					variables: c.variables,
					approval_requests: approvalFields(c),
				}));
				return page(req, AND_APPROVALS, items);
			}
			const match = CONTENT_PATH.exec(req.path);
			if (!match) return twilioError(404, 20404, `The requested resource ${req.path.slice(0, 200)} was not found`);
			const [, sid, approvals, whatsapp] = match;
			if (sid === undefined) {
				if (req.method === 'POST') return create(req);
				if (req.method === 'GET') return page(req, '/v1/Content', [...contents.values()].map(resource));
				return notAllowed();
			}
			const c = CONTENT_SID.test(sid) ? contents.get(sid) : undefined;
			if (!c) return twilioError(404, 20404, `The requested resource /Content/${sid.slice(0, 64)} was not found`);
			if (whatsapp) return req.method === 'POST' ? submit(req, c) : notAllowed();
			if (approvals) {
				if (req.method !== 'GET') return notAllowed();
				return json(200, { sid: c.sid, account_sid: account.accountSid, whatsapp: { type: 'whatsapp', ...approvalFields(c), flows: null }, url: `${HOST}/v1/Content/${c.sid}/ApprovalRequests` });
			}
			if (req.method === 'GET') return json(200, resource(c));
			if (req.method === 'DELETE') {
				contents.delete(c.sid);
				return { status: 204 };
			}
			return notAllowed();
		},
	};
}
