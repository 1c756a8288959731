/**
 * Serves a run's report on 127.0.0.1 with a JSON endpoint, `api/view?doc=<id>`, that rebuilds any
 * document's whole view from the corpus, so reports too large to embed every view still show whole
 * documents; `api/pdf?doc=<id>` hands a PDF's bytes to the page, which renders the value's page with pdf.js
 * (unpdf's build, served as `pdfjs.mjs`) and its box drawn on it. Only ids of the corpus are served (never a
 * path built from the request), only PDFs as bytes, and only to requests addressed to the loopback host, so
 * another web page cannot read documents through the browser (DNS rebinding).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSkipped } from '../corpus/index.ts';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { RUN_FILES } from '../run/index.ts';
import { renderReportHtml } from './html.ts';
import { buildReport, type ReportOptions } from './build.ts';
import { ReportError } from './load.ts';
import { openRunCorpus } from './views.ts';

export const DEFAULT_PORT = 8765;
/** pdf.js as unpdf builds it: one module with no worker, which runs in a browser as on a server. */
const PDFJS = fileURLToPath(import.meta.resolve('unpdf/pdfjs'));
const HOST = '127.0.0.1';

export interface ServeOptions extends ReportOptions {
  /** Default 8765; 0 picks a free port. */
  port?: number;
}

export interface ReportServer {
  url: string;
  /** Where the rebuilt report.html was written. */
  reportPath: string;
  close(): Promise<void>;
}

/** Rebuild the run's report.html and serve it with whole document views on demand. */
export async function serveReport(runDir: string, options: ServeOptions = {}): Promise<ReportServer> {
  const { data, artifacts } = await buildReport(runDir, options);
  const html = renderReportHtml(data);
  const reportPath = join(data.run.runDir, RUN_FILES.report);
  await writeFileAtomic(reportPath, html);
  const opened = await openRunCorpus(data, artifacts, options.corpusRoot);

  let port = options.port ?? DEFAULT_PORT;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => send(response, 500, { error: error.message }));
  });
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const host = request.headers.host ?? '';
    if (host !== `${HOST}:${port}` && host !== `localhost:${port}`) return send(response, 403, { error: 'this server answers only requests to 127.0.0.1' });
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, { error: 'only GET' });
    const url = new URL(request.url ?? '/', `http://${host}`);
    if (url.pathname === '/' || url.pathname === `/${RUN_FILES.report}`) {
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
      return response.end(html);
    }
    if (url.pathname === '/pdfjs.mjs') {
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8' });
      return response.end(await readFile(PDFJS));
    }
    if (url.pathname !== '/api/view' && url.pathname !== '/api/pdf') return send(response, 404, { error: 'not found' });
    if ('reason' in opened) return send(response, 404, { error: opened.reason });
    const doc = url.searchParams.get('doc') ?? '';
    const ref = opened.refs.get(doc);
    if (ref === undefined) return send(response, 404, { error: `no document ${JSON.stringify(doc)} in ${opened.corpus.root}` });
    if (url.pathname === '/api/pdf') {
      const bytes = await readFile(ref.path).catch(() => null);
      if (bytes === null || !bytes.subarray(0, 1024).includes('%PDF-')) return send(response, 404, { error: `${ref.id} is not a PDF that can be read` });
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/pdf' });
      return response.end(bytes);
    }
    const loaded = await opened.corpus.load(ref);
    if (isSkipped(loaded)) return send(response, 404, { error: `${loaded.id} could not be read: ${loaded.reason}: ${loaded.detail}` });
    return send(response, 200, { doc: loaded.id, format: loaded.format, view: loaded.view });
  };

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      rejectListen(
        error.code === 'EADDRINUSE'
          ? new ReportError(`Port ${port} is already in use: choose another port (0 picks a free one).`, { settings: ['port'] })
          : new ReportError(`Cannot serve the report on ${HOST}:${port}: ${error.message}`),
      );
    });
    server.listen(port, HOST, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/`,
    reportPath,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

const SECURITY_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}
