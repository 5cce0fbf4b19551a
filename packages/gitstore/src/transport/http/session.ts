import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { GitMlError } from '../../errors.js';
import { HTTP_PASSWORD_VAR, HTTP_USERNAME_VAR, type HttpRemote } from '../remote.js';

/** What a smart-HTTP server advertised: its refs (ref → oid), peeled tags, and capabilities. */
export interface Advertisement {
  refs: Map<string, string>;
  peeled: Map<string, string>;
  head: { oid: string; target?: string } | null;
  capabilities: Set<string>;
}

/**
 * One conversation with an http(s) remote through isomorphic-git: its HTTP client, its ref
 * discovery (protocol v1 advertisement, 401 challenges answered with our credentials) and the two
 * POSTs of the smart protocol. Every failure becomes a one-line GitMlError naming the remote.
 */
export class HttpSession {
  private authUsed = false;

  constructor(private readonly remote: HttpRemote) {}

  private get label(): string {
    return this.remote.name === this.remote.url ? this.remote.url : `${this.remote.name} (${this.remote.url})`;
  }

  private basic(): string {
    return `Basic ${Buffer.from(`${this.remote.username ?? ''}:${this.remote.password ?? ''}`).toString('base64')}`;
  }

  async discover(forPush: boolean): Promise<Advertisement> {
    const creds = this.remote.username !== undefined || this.remote.password !== undefined;
    let info: Awaited<ReturnType<typeof git.getRemoteInfo2>>;
    try {
      info = await git.getRemoteInfo2({
        http,
        url: this.remote.url,
        forPush,
        protocolVersion: 1,
        onAuth: () => {
          if (!creds) return { cancel: true };
          this.authUsed = true;
          return { username: this.remote.username, password: this.remote.password };
        },
        onAuthFailure: () => ({ cancel: true }),
      });
    } catch (err) {
      throw this.failure(err, creds);
    }
    const refs = new Map<string, string>();
    const peeled = new Map<string, string>();
    let head: Advertisement['head'] = null;
    for (const r of info.refs ?? []) {
      if (r.ref === 'HEAD') head = { oid: r.oid, target: r.target };
      else refs.set(r.ref, r.oid);
      if (r.peeled) peeled.set(r.ref, r.peeled);
    }
    const capabilities = new Set(Object.entries(info.capabilities).map(([k, v]) => (v === true ? k : `${k}=${v}`)));
    return { refs, peeled, head, capabilities };
  }

  /** POSTs a request body to `git-upload-pack` or `git-receive-pack`; returns the whole response body. */
  async post(service: 'git-upload-pack' | 'git-receive-pack', body: Buffer): Promise<Buffer> {
    const headers: Record<string, string> = {
      'content-type': `application/x-${service}-request`,
      accept: `application/x-${service}-result`,
      'user-agent': 'git/isomorphic-git git-ml',
    };
    if (this.authUsed) headers.authorization = this.basic();
    let res: Awaited<ReturnType<typeof http.request>>;
    const chunks: Buffer[] = [];
    try {
      res = await http.request({ url: `${this.remote.url}/${service}`, method: 'POST', headers, body: (async function* () { yield body; })() });
      for await (const c of res.body ?? []) chunks.push(Buffer.from(c));
    } catch (err) {
      throw this.failure(err, this.authUsed);
    }
    if (res.statusCode !== 200) throw this.failure({ code: 'HttpError', data: { statusCode: res.statusCode, statusMessage: res.statusMessage } }, this.authUsed);
    return Buffer.concat(chunks);
  }

  /** The one-line error for a failed request: what went wrong, and what to do. */
  failure(err: unknown, credsSent: boolean): GitMlError {
    const e = err as { code?: string; message?: string; data?: { statusCode?: number; statusMessage?: string } };
    const cause = { cause: err };
    const data = { remote: this.remote.name, url: this.remote.url };
    if (e.code === 'UserCanceledError' || (e.code === 'HttpError' && (e.data?.statusCode === 401 || e.data?.statusCode === 403))) {
      return credsSent
        ? new GitMlError('REMOTE_AUTH_FAILED', `${this.label} refused the credentials git-ml sent (from the URL or ${HTTP_USERNAME_VAR} / ${HTTP_PASSWORD_VAR}). Check the user name and token, and that the token may read and write the repository.`, data, cause)
        : new GitMlError('REMOTE_AUTH_FAILED', `${this.label} needs credentials. Set ${HTTP_USERNAME_VAR} and ${HTTP_PASSWORD_VAR} (a token), or install git to use your credential helper.`, data, cause);
    }
    if (e.code === 'HttpError' && e.data?.statusCode === 404) {
      return new GitMlError('REMOTE_NOT_FOUND', `There is no git repository at ${this.label} (HTTP 404). Check the URL (\`git config remote.NAME.url\`).`, data, cause);
    }
    if (e.code === 'HttpError') {
      return new GitMlError('REMOTE_FAILED', `${this.label} answered HTTP ${e.data?.statusCode} ${e.data?.statusMessage ?? ''}`.trimEnd() + '. Retry later, or check the URL.', data, cause);
    }
    if (e.code === 'SmartHttpError') {
      return new GitMlError('REMOTE_FAILED', `${this.label} is not a git smart-HTTP server (its answer is not git's protocol). Check the URL: it should be the repository's clone URL.`, data, cause);
    }
    if (typeof e.code === 'string' && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(e.code)) {
      return new GitMlError('REMOTE_UNREACHABLE', `Could not reach ${this.label}: ${e.code}${e.message ? ` (${e.message.split('\n')[0]})` : ''}. Check the URL and your network.`, data, cause);
    }
    if (err instanceof GitMlError) return err;
    return new GitMlError('REMOTE_FAILED', `Talking to ${this.label} failed: ${e.message?.split('\n')[0] ?? String(err)}.`, data, cause);
  }
}
