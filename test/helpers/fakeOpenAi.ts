/**
 * A tiny OpenAI-compatible chat model for tests that run n8n's AI Agent offline: POST /v1/chat/completions (a JSON
 * answer; a request for a stream is refused) and GET /v1/models (the credential's test).
 * Bound to 127.0.0.1, no state but the requests it kept. What it answers comes from a script, a function of the request:
 * deterministic, so a test knows what the "model" does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatMessage {
	role: string;
	content?: string | Array<{ type: string; text?: string }> | null;
	tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

export interface ChatTool {
	type: 'function';
	function: { name: string; description?: string; parameters?: Record<string, any> };
}

export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools?: ChatTool[];
	stream?: boolean;
	[key: string]: unknown;
}

/** What the model says: text (a final answer), or calls of tools with their arguments. */
export type ChatReply = { content: string } | { toolCalls: Array<{ name: string; arguments: Record<string, unknown> }> };

export interface FakeOpenAi {
	/** The base URL an `openAiApi` credential takes (…/v1). */
	url: string;
	/** Every chat request, in order, as received. */
	requests: ChatRequest[];
	/** Requests to paths it does not serve (the Responses API, say): a test can assert there were none. */
	unknown: Array<{ method: string; path: string }>;
	stop(): Promise<void>;
}

/** The text of a message's content, whichever form it came in. */
export function textOf(message: ChatMessage | undefined): string {
	const content = message?.content;
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
	return '';
}

/**
 * The script most tests want: while no tool has answered, call `tool` with `args`; once it has (its result, or the
 * message that it was not allowed), answer with `finalAnswer` of what the tool message said.
 */
export function callOnceThenAnswer(tool: string, args: (request: ChatRequest) => Record<string, unknown>, finalAnswer: (toolMessage: string) => string) {
	return (request: ChatRequest): ChatReply => {
		const toolMessage = [...request.messages].reverse().find((m) => m.role === 'tool');
		if (toolMessage) return { content: finalAnswer(textOf(toolMessage)) };
		if (!request.tools?.some((t) => t.function.name === tool)) {
			return { content: `No tool named ${tool} was offered (offered: ${(request.tools ?? []).map((t) => t.function.name).join(', ') || 'none'})` };
		}
		return { toolCalls: [{ name: tool, arguments: args(request) }] };
	};
}

const readBody = (req: IncomingMessage) =>
	new Promise<string>((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf-8')));
		req.on('error', reject);
	});

function answer(res: ServerResponse, request: ChatRequest, reply: ChatReply, n: number): void {
	const toolCalls = 'toolCalls' in reply ? reply.toolCalls.map((call, k) => ({ id: `call_fake${n}_${k}`, type: 'function' as const, function: { name: call.name, arguments: JSON.stringify(call.arguments) } })) : undefined;
	const message = { role: 'assistant', content: 'content' in reply ? reply.content : null, ...(toolCalls ? { tool_calls: toolCalls } : {}) };
	res.writeHead(200, { 'Content-Type': 'application/json' });
	res.end(
		JSON.stringify({
			id: `chatcmpl-fake${n}`,
			object: 'chat.completion',
			created: 1_700_000_000 + n,
			model: request.model,
			choices: [{ index: 0, message, finish_reason: toolCalls ? 'tool_calls' : 'stop', logprobs: null }],
			usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
		}),
	);
}

export async function startFakeOpenAi(script: (request: ChatRequest) => ChatReply): Promise<FakeOpenAi> {
	const requests: ChatRequest[] = [];
	const unknown: FakeOpenAi['unknown'] = [];
	const server = createServer((req, res) => {
		const path = (req.url ?? '').split('?')[0];
		const fail = (status: number, message: string) => {
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', code: null, param: null } }));
		};
		if (req.method === 'GET' && path === '/v1/models') {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model', created: 1_700_000_000, owned_by: 'tests' }] }));
			return;
		}
		if (req.method !== 'POST' || path !== '/v1/chat/completions') {
			unknown.push({ method: req.method ?? '', path });
			fail(404, `The fake model serves POST /v1/chat/completions, not ${req.method} ${path}`);
			return;
		}
		readBody(req)
			.then((text) => {
				const request = JSON.parse(text) as ChatRequest;
				requests.push(request);
				// n8n's AI Agent streams only when its trigger streams the response (a Chat Trigger, a webhook set to
				// stream): then this fake would need server-sent events. Refused clearly rather than half done.
				if (request.stream) return fail(400, 'The fake model does not stream: use a trigger that does not stream the response');
				answer(res, request, script(request), requests.length);
			})
			.catch((error: unknown) => fail(400, error instanceof Error ? error.message : String(error)));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		unknown,
		stop: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
