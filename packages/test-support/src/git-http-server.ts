import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT`; a bare repository ROOT/x.git is at `${url}/x.git` */
  url: string;
  /** every request served, as "METHOD /path?query STATUS" */
  log: string[];
  /** a new bare repository ROOT/NAME.git that accepts pushes, and its URL */
  bareRepo(name: string): { url: string; dir: string };
  close(): Promise<void>;
}

/**
 * A real smart-HTTP git server on 127.0.0.1: C git's own CGI, `git http-backend`, behind a tiny Node
 * HTTP server, serving every repository under `root` (GIT_HTTP_EXPORT_ALL). Pushing needs
 * `http.receivepack=true` in the bare repository. With `auth`, every request must carry that user
 * and password (HTTP Basic), as a hosted server asks for a token.
 */
export async function startGitHttpServer(root: string, options: { auth?: { username: string; password: string } } = {}): Promise<GitHttpServer> {
  const log: string[] = [];
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` : null;
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const done = (status: number) => log.push(`${req.method} ${url.pathname}${url.search} ${status}`);
    if (expected && req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end('authentication required\n');
      done(401);
      return;
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_ADDR: '127.0.0.1',
        ...(options.auth ? { REMOTE_USER: options.auth.username } : {}),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    let stderr = '';
    cgi.stdout.on('data', (c: Buffer) => chunks.push(c));
    cgi.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    cgi.on('close', () => {
      const out = Buffer.concat(chunks);
      const end = out.indexOf('\r\n\r\n') >= 0 ? out.indexOf('\r\n\r\n') : out.indexOf('\n\n');
      const sep = out[end] === 0x0d ? 4 : 2;
      if (end < 0) {
        res.writeHead(500).end(stderr);
        done(500);
        return;
      }
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of out.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        const name = line.slice(0, i).trim().toLowerCase();
        const value = line.slice(i + 1).trim();
        if (name === 'status') status = parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers).end(out.subarray(end + sep));
      done(status);
    });
  };
  const server = createServer(serve);
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    log,
    bareRepo(name) {
      const dir = join(root, `${name}.git`);
      mkdirSync(dir);
      execFileSync('git', ['init', '-q', '--bare', dir]);
      execFileSync('git', ['-C', dir, 'config', 'http.receivepack', 'true']);
      return { url: `${url}/${name}.git`, dir };
    },
    close: () => new Promise<void>((resolveClose) => {
      server.closeAllConnections();
      server.close(() => resolveClose());
    }),
  };
}

/** A directory holding only a `node` link: a PATH for git-ml processes on a machine without git. */
export function pathWithoutGit(): string {
  const dir = mkdtempSync(join(tmpdir(), 'git-ml-nogit-'));
  symlinkSync(process.execPath, join(dir, 'node'));
  return dir;
}
