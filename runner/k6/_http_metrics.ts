/**
 * The samples of one `k6/http` request, tagged as k6's `httpext` transport tags them: the VU's
 * tags, the request's `tags`, then `method`, `url`, `name` (the URL without credentials, unless
 * the script named it; a given name is also the `url` tag, as k6 does since v0.41),
 * `status`, `proto`, `error`/`error_code` when failed and `expected_response`.
 *
 * @module
 */

import {
  HTTP_REQ_BLOCKED,
  HTTP_REQ_CONNECTING,
  HTTP_REQ_DURATION,
  HTTP_REQ_FAILED,
  HTTP_REQ_RECEIVING,
  HTTP_REQ_SENDING,
  HTTP_REQ_TLS_HANDSHAKING,
  HTTP_REQ_WAITING,
  HTTP_REQS,
} from "../metrics/builtin.ts";
import type { VuState } from "../worker/vu_context.ts";
import type { HttpResponse } from "./_http_response.ts";
import type { ResponseCallback } from "./_http_params.ts";

/**
 * Records a finished request (one redirect hop) for its VU.
 *
 * @param vu The VU that made it.
 * @param res Its response (status 0 and `error_code` when it failed).
 * @param tags The request's own tags.
 * @param callback The response callback in force (null: no `http_req_failed`).
 * @param bytes Approximate bytes sent and received (lines, headers, bodies).
 * @returns Whether the callback expected the response (true without one).
 *
 * @example Usage
 * ```ts ignore
 * recordRequest(vu, res, { name: "x" }, expectedStatuses({ min: 200, max: 399 }), { sent: 80, received: 200 });
 * ```
 */
export function recordRequest(
  vu: VuState,
  res: HttpResponse,
  tags: Record<string, string>,
  callback: ResponseCallback | null,
  bytes: { sent: number; received: number },
): boolean {
  const t: Record<string, string> = { ...vu.tags, ...tags, method: res.request.method };
  const name = tags.name ?? res.request.url;
  t.name = name;
  t.url = name;
  t.status = String(res.status);
  if (res.proto !== "") t.proto = res.proto;
  if (res.error !== "") t.error = res.error;
  if (res.error_code !== 0) t.error_code = String(res.error_code);
  let expected = true;
  if (callback !== null) {
    expected = Boolean(callback(res.status));
    t.expected_response = String(expected);
  }
  const registry = vu.services.registry;
  const timings = res.timings;
  registry.add(HTTP_REQS, 1, t);
  registry.add(HTTP_REQ_DURATION, timings.duration, t);
  registry.add(HTTP_REQ_BLOCKED, timings.blocked, t);
  registry.add(HTTP_REQ_CONNECTING, timings.connecting, t);
  registry.add(HTTP_REQ_TLS_HANDSHAKING, timings.tls_handshaking, t);
  registry.add(HTTP_REQ_SENDING, timings.sending, t);
  registry.add(HTTP_REQ_WAITING, timings.waiting, t);
  registry.add(HTTP_REQ_RECEIVING, timings.receiving, t);
  if (callback !== null) registry.add(HTTP_REQ_FAILED, expected ? 0 : 1, t);
  // k6 counts traffic per VU, not per request: reported as the iteration ends (see NetTrail).
  vu.net.sent += bytes.sent;
  vu.net.received += bytes.received;
  return expected;
}
