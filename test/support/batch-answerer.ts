/**
 * Stands in for the OpenAI Batch API in tests: reads a batch input file and writes the output file
 * the Batch API would return, answering each line with the same handlers the loopback server uses.
 * Error replies become failed lines; hangs, resets and malformed replies become expired lines.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { LoopbackHandler, LoopbackMessage, ReplySpec } from './loopback-server.ts';

interface InputLine {
  custom_id: string;
  body: { model?: string; messages: LoopbackMessage[] } & Record<string, unknown>;
}

function outputLine(line: InputLine, index: number, reply: ReplySpec): unknown {
  const base = { id: `batch_req_${index}`, custom_id: line.custom_id };
  if (typeof reply === 'string') reply = { content: reply };
  if ('content' in reply) {
    const usage = reply.usage ?? { promptTokens: 10, completionTokens: reply.content.split(/\s+/).filter(Boolean).length };
    const body = {
      id: `chatcmpl-batch-${index}`,
      object: 'chat.completion',
      model: line.body.model ?? 'batch',
      choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: reply.finishReason ?? 'stop' }],
      usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens },
    };
    return { ...base, response: { status_code: 200, request_id: `req_${index}`, body }, error: null };
  }
  if ('status' in reply) {
    const body = { error: { message: reply.message ?? `batch fault ${reply.status}`, type: 'server_error' } };
    return { ...base, response: { status_code: reply.status, request_id: `req_${index}`, body }, error: null };
  }
  return { ...base, response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } };
}

/** Answers every line of `inputPath` with `handler` and writes an OpenAI Batch output file to `outputPath`. */
export async function answerBatchFile(inputPath: string, outputPath: string, handler: LoopbackHandler): Promise<void> {
  const lines = (await readFile(inputPath, 'utf8'))
    .split('\n')
    .filter((raw) => raw.trim() !== '')
    .map((raw) => JSON.parse(raw) as InputLine);
  const output: string[] = [];
  for (const [index, line] of lines.entries()) {
    const messages = line.body.messages;
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const reply = await handler({ index, body: line.body, messages, prompt: lastUser?.content ?? '' });
    output.push(JSON.stringify(outputLine(line, index, reply)));
  }
  await writeFile(outputPath, output.map((l) => `${l}\n`).join(''));
}
