/**
 * A loopback OpenAI-compatible HTTP server for tests and benchmarks: `/v1/chat/completions` and
 * `/v1/models` on 127.0.0.1 at a random port, answered by a handler the test supplies. The handler
 * decides per request whether to answer, and how to misbehave (latency, 429 with Retry-After, 5xx,
 * malformed JSON, truncated content, a dropped connection, hanging), so tests can drive the real `openai` client through
 * every fault the model layer must survive. The server counts requests and requests in flight.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackMessage {
  role: string;
  content: string;
}

/** What the handler sees: the parsed request body, its messages, and the request's sequence number. */
export interface LoopbackRequest {
  /** 0-based order of arrival among all chat requests this server received. */
  index: number;
  body: Record<string, unknown> & { model?: string; messages: LoopbackMessage[] };
  messages: LoopbackMessage[];
  /** Content of the last user message: most scripted handlers only need this. */
  prompt: string;
}

/** A normal answer. `usage` defaults to whitespace-separated word counts of prompt and content. */
export interface ContentReply {
  content: string;
  usage?: { promptTokens: number; completionTokens: number };
  /** 'length' marks the content as truncated at max_tokens. */
  finishReason?: string;
  /** The response's content type (default application/json): some servers send JSON labelled text/html. */
  contentType?: string;
  latencyMs?: number;
}

/** An HTTP error answer, e.g. `{ status: 429, retryAfter: 1 }` or `{ status: 500 }`. */
export interface ErrorReply {
  status: number;
  /** Seconds, sent as the `Retry-After` header. */
  retryAfter?: number;
  message?: string;
  latencyMs?: number;
}

/** HTTP 200 with a body that is not valid JSON. */
export interface MalformedReply {
  malformed: true;
  latencyMs?: number;
}

/** Never answer; the connection stays open until the client gives up or the server closes. */
export interface HangReply {
  hang: true;
}

/** Drop the connection without answering (the client sees a connection error). */
export interface ResetReply {
  reset: true;
  latencyMs?: number;
}

export type ReplySpec = string | ContentReply | ErrorReply | MalformedReply | HangReply | ResetReply;

export type LoopbackHandler = (request: LoopbackRequest) => ReplySpec | Promise<ReplySpec>;

export interface LoopbackOptions {
  /** Latency added to every reply that does not set its own. */
  latencyMs?: number;
  /** Model ids listed by `GET /v1/models`. */
  models?: string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get 401. */
  apiKey?: string;
}

export interface LoopbackStats {
  /** Every HTTP request received, on any path. */
  requests: number;
  /** Chat requests whose reply has not finished (or whose client has not gone away). */
  inFlight: number;
  maxInFlight: number;
  /** Chat requests whose full reply was written. */
  completed: number;
  byPath: Record<string, number>;
  /** Bodies of all chat requests, in order of arrival. */
  received: LoopbackRequest['body'][];
}

export interface LoopbackServer {
  /** Base URL to give the client, ending in `/v1`. */
  url: string;
  stats: LoopbackStats;
  close(): Promise<void>;
}

/** Answers every request with a deterministic function of its last user message. */
export const echoHandler: LoopbackHandler = ({ prompt }) => `echo: ${prompt}`;

/** Serves the given replies to the first requests in order, then delegates to `then`. */
export function faultsThen(faults: ReplySpec[], then: LoopbackHandler = echoHandler): LoopbackHandler {
  return (request) => faults[request.index] ?? then(request);
}

/** A reply cut off at max_tokens. */
export function truncated(content: string): ContentReply {
  return { content, finishReason: 'length' };
}

const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function sendJson(res: http.ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(payload));
}

function completionBody(request: LoopbackRequest, reply: ContentReply): unknown {
  const usage = reply.usage ?? {
    promptTokens: request.messages.reduce((sum, m) => sum + wordCount(m.content), 0),
    completionTokens: wordCount(reply.content),
  };
  return {
    id: `chatcmpl-loopback-${request.index}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.body.model ?? 'loopback',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: reply.content },
        finish_reason: reply.finishReason ?? 'stop',
      },
    ],
    usage: {
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
      total_tokens: usage.promptTokens + usage.completionTokens,
    },
  };
}

export async function startLoopbackServer(
  handler: LoopbackHandler = echoHandler,
  options: LoopbackOptions = {},
): Promise<LoopbackServer> {
  const stats: LoopbackStats = { requests: 0, inFlight: 0, maxInFlight: 0, completed: 0, byPath: {}, received: [] };
  let chatIndex = 0;

  async function answerChat(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: LoopbackRequest['body'];
    try {
      body = JSON.parse(raw) as LoopbackRequest['body'];
    } catch {
      sendJson(res, 400, { error: { message: 'request body is not JSON', type: 'invalid_request_error' } });
      return;
    }
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const request: LoopbackRequest = { index: chatIndex++, body, messages, prompt: lastUser?.content ?? '' };
    stats.received.push(body);

    let reply: ReplySpec;
    try {
      reply = await handler(request);
    } catch (error) {
      sendJson(res, 500, { error: { message: `loopback handler threw: ${String(error)}`, type: 'server_error' } });
      return;
    }
    if (typeof reply === 'string') reply = { content: reply };
    if ('hang' in reply) return; // released when the client disconnects or the server closes
    const latency = reply.latencyMs ?? options.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);
    if (res.destroyed) return;

    if ('reset' in reply) {
      res.socket?.destroy();
    } else if ('status' in reply) {
      const headers: Record<string, string> = reply.retryAfter === undefined ? {} : { 'retry-after': String(reply.retryAfter) };
      const type = reply.status === 429 ? 'rate_limit_error' : 'server_error';
      sendJson(res, reply.status, { error: { message: reply.message ?? `loopback fault ${reply.status}`, type } }, headers);
    } else if ('malformed' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "chatcmpl-broken", "choices": [');
    } else {
      sendJson(res, 200, completionBody(request, reply), reply.contentType ? { 'content-type': reply.contentType } : {});
    }
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    stats.requests++;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;

    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendJson(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      const data = (options.models ?? []).map((id) => ({ id, object: 'model', created: 0, owned_by: 'loopback' }));
      sendJson(res, 200, { object: 'list', data });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      sendJson(res, 404, { error: { message: `no route for ${req.method} ${path}`, type: 'invalid_request_error' } });
      return;
    }

    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      stats.inFlight--;
    };
    res.on('finish', () => {
      stats.completed++;
      settle();
    });
    res.on('close', settle);
    answerChat(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: 'server_error' } });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
