// The widget's only door to the server: JSON over fetch, errors as ApiError, network errors retried.

import type { Answer, Body, ErrorBody, OperationId, Query, ThreadPage } from "./types";

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached */
    readonly status: number,
    /** the API's error code (`validation_failed`, …) or `network` */
    readonly code: string,
    message: string,
    /** dotted field path -> message, as in the API's error envelope */
    readonly fields: Record<string, string> = {},
    /** seconds, from Retry-After */
    readonly retryAfter = 0,
  ) {
    super(message);
  }
}

export type Params = Record<string, string | number | string[] | null | undefined>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function query(params: Params): string {
  const search = new URLSearchParams();
  for (const name in params) {
    const value = params[name];
    if (Array.isArray(value)) for (const item of value) search.append(name, item);
    else if (value != null) search.append(name, String(value));
  }
  return search.toString();
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date). */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
  if (!header) return 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? 0 : Math.max(0, Math.ceil((date - now) / 1000));
}

export class Api {
  /** the signed-in reader's session token, sent on writes */
  auth: string | null = null;

  /** `base` is where embed.js came from, ending in "/". */
  constructor(
    readonly base: string,
    private readonly voter: () => string,
  ) {}

  /** fetch, retrying network failures (not HTTP errors) twice with a growing pause. */
  async fetch(path: string, init: RequestInit = {}, retries = 2): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetch(this.base + "api/v1/" + path, init);
      } catch {
        if (attempt >= retries) throw new ApiError(0, "network", "network");
        await sleep(600 * 3 ** attempt);
      }
    }
  }

  /**
   * One operation of the API, named by its operationId (`call<"vote">(…)`): the body and the
   * answer are that operation's types in the OpenAPI document (src/types.ts is generated from it).
   */
  async call<O extends OperationId>(method: string, path: string, body?: Body<O>, headers: Record<string, string> = {}): Promise<Answer<O>> {
    const init: RequestInit = { method, headers };
    if (method != "GET") {
      headers["X-Sidenote-Voter"] = this.voter();
      if (this.auth) headers.Authorization = "Bearer " + this.auth;
    }
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await this.fetch(path, init);
    if (response.ok) return (response.status == 204 ? null : await response.json()) as Answer<O>;
    throw await errorFrom(response);
  }

  get<O extends OperationId>(path: string, params?: Query<O>): Promise<Answer<O>> {
    return this.call<O>("GET", params ? path + "?" + query(params as Params) : path);
  }

  /** A conditional read of a thread page: `page` is null when the server answers 304. */
  async page(params: Query<"list_comments">, etag?: string | null): Promise<{ etag: string | null; page: ThreadPage | null }> {
    const init: RequestInit = etag ? { headers: { "If-None-Match": etag }, cache: "no-store" } : {};
    const response = await this.fetch("comments?" + query(params), init);
    const tag = response.headers.get("ETag");
    if (response.status == 304) return { etag: tag || etag || null, page: null };
    if (!response.ok) throw await errorFrom(response);
    return { etag: tag, page: (await response.json()) as ThreadPage };
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  let error: Partial<ErrorBody> = {};
  try {
    error = ((await response.json()) as { error?: typeof error }).error || {};
  } catch {
    // Not our envelope (a proxy's page): the status says enough.
  }
  return new ApiError(
    response.status,
    error.code || "http_" + response.status,
    error.message || response.statusText,
    error.fields || {},
    retryAfterSeconds(response.headers.get("Retry-After")),
  );
}
