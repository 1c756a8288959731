/** The request and outcome shapes every stage uses to talk to a model. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
}

export type ChatOutcome =
  | {
      ok: true;
      content: string;
      /** True when no request was sent for this call (cache hit, or an identical request in flight). */
      cached: boolean;
      usage: { promptTokens: number; completionTokens: number };
      /** 'length' means the reply was cut at maxTokens; such replies are kept and cached like any other. */
      finishReason?: string;
    }
  | {
      ok: false;
      /** 'pending': not answered yet because the client is in batch mode; the request waits in pending(). */
      kind: 'failed' | 'pending';
      error: string;
      /** HTTP status of the last attempt, when there was one: 401/403/404 point at configuration. */
      status?: number;
    };

export type ModelEvent =
  | { type: 'attempt'; stage: string; key: string; attempt: number }
  | { type: 'retry'; stage: string; key: string; attempt: number; delayMs: number; reason: string }
  /** The endpoint answered and the request no longer holds a concurrency slot (its answer is still being saved). */
  | { type: 'received'; stage: string; key: string }
  /** `usage`: what a live answer cost (absent for cached ones), so a caller can record spend as it happens. */
  | { type: 'answered'; stage: string; key: string; cached: boolean; usage?: { promptTokens: number; completionTokens: number } }
  | { type: 'failed'; stage: string; key: string; error: string }
  | { type: 'pending'; stage: string; key: string };
