// The citizen pages' link to the API: where it is, who is signed in, and one way to call it.
//
// The site is a public OAuth client (`cong-dich-vu-cong`): it signs people in with the portal's
// own OpenID provider by the authorization-code flow with PKCE, and keeps the tokens in this
// tab's sessionStorage (gone when the tab closes; never in a cookie, so no CSRF). The provider's
// session cookie makes signing in again in a new tab a single redirect.

const siteRoot = new URL("../../", import.meta.url);
const meta = document.querySelector('meta[name="portal-api"]');
export const API = (meta ? meta.content : "").replace(/\/$/, "");
export const CLIENT_ID = "cong-dich-vu-cong";
export const CALLBACK = new URL("tai-khoan/dang-nhap/", siteRoot).href;
const SCOPE = "openid profile email phone";
const SESSION = "portal.session";
const PENDING = "portal.signin";

export class ApiError extends Error {
  constructor(status, code, message, field, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter; // seconds, from Retry-After on a 429 (undefined otherwise)
  }
}

/** A site-relative URL (for links built in scripts), e.g. site("ho-so/?ma=X"). */
export function site(path) {
  return new URL(path, siteRoot).href;
}

function randomString() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return base64url(bytes);
}

function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function claimsOf(jwt) {
  const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION) || "null");
  } catch {
    return null;
  }
}

function keep(tokens) {
  const claims = claimsOf(tokens.id_token);
  const previous = session() || {};
  sessionStorage.setItem(
    SESSION,
    JSON.stringify({
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token || previous.refresh_token,
      id_token: tokens.id_token,
      expires_at: Date.now() + (tokens.expires_in - 30) * 1000,
      name: claims.name || previous.name || "",
      account_type: claims.account_type || previous.account_type || "",
    }),
  );
}

/** Send the person to the portal's sign-in page; they come back to `returnTo` (this page by default). */
export async function signIn(returnTo = location.href) {
  const verifier = randomString();
  const state = randomString();
  const nonce = randomString();
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, returnTo }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: CALLBACK,
    scope: SCOPE,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.assign(`${API}/oidc/authorize?${query}`);
}

/** On the callback page: check the answer, trade the code for tokens, return where sign-in began. */
export async function completeSignIn(params = new URLSearchParams(location.search)) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  if (!pending || params.get("state") !== pending.state) {
    throw new ApiError(400, "state_mismatch", "Phiên đăng nhập không khớp hoặc đã hết hạn. Vui lòng đăng nhập lại.");
  }
  if (params.get("iss") && params.get("iss") !== API) {
    throw new ApiError(400, "issuer_mismatch", "Câu trả lời đăng nhập không đến từ Cổng Dịch vụ công.");
  }
  if (params.get("error")) {
    throw new ApiError(400, params.get("error"), params.get("error_description") || "Đăng nhập không thành công.");
  }
  const tokens = await tokenRequest({
    grant_type: "authorization_code",
    code: params.get("code") || "",
    redirect_uri: CALLBACK,
    code_verifier: pending.verifier,
  });
  if (claimsOf(tokens.id_token).nonce !== pending.nonce) {
    throw new ApiError(400, "nonce_mismatch", "Mã định danh không khớp với yêu cầu đăng nhập.");
  }
  keep(tokens);
  const back = new URL(pending.returnTo || site("tai-khoan/"), location.href);
  return back.origin === location.origin ? back.href : site("tai-khoan/");
}

async function tokenRequest(fields) {
  const response = await fetch(`${API}/oidc/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...fields, client_id: CLIENT_ID }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, body.error || "token_error", body.error_description || "Không lấy được mã truy cập.");
  }
  return body;
}

async function refreshed() {
  const current = session();
  if (!current || !current.refresh_token) return null;
  try {
    keep(await tokenRequest({ grant_type: "refresh_token", refresh_token: current.refresh_token }));
    return session();
  } catch {
    sessionStorage.removeItem(SESSION);
    return null;
  }
}

/** End the session here and at the provider, then come back to the home page. */
export function signOut() {
  const current = session();
  sessionStorage.removeItem(SESSION);
  const query = new URLSearchParams({ post_logout_redirect_uri: site("") });
  if (current) query.set("id_token_hint", current.id_token);
  location.assign(`${API}/oidc/logout?${query}`);
}

/**
 * Call the API. `auth: true` sends the access token (refreshed when it has expired); a 401 means
 * the person must sign in again. Errors come back as ApiError with the API's Vietnamese message.
 * `text: true` returns the body as text (an HTML page such as the e-receipt) instead of JSON.
 */
export async function api(path, { method = "GET", body, auth = false, text = false } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let current = auth ? session() : null;
  if (auth && current && current.expires_at < Date.now()) current = await refreshed();
  if (auth && !current) throw new ApiError(401, "unauthenticated", "Vui lòng đăng nhập để tiếp tục.");
  if (current) headers.Authorization = `Bearer ${current.access_token}`;
  let response;
  try {
    response = await fetch(`${API}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "offline", "Không kết nối được với Cổng Dịch vụ công. Vui lòng kiểm tra kết nối mạng và thử lại.");
  }
  if (text && response.ok) return response.text(); // `text: true`: an HTML page (the e-receipt), not JSON
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = answer.error || {};
    if (response.status === 401 && auth) sessionStorage.removeItem(SESSION);
    const retryAfter = Number.parseInt(response.headers.get("Retry-After") || "", 10) || undefined;
    throw new ApiError(response.status, error.code || "error", error.message || "Yêu cầu không thành công.", error.field, retryAfter);
  }
  return answer;
}

const UPLOAD_OFFLINE = "Không tải được tệp lên. Vui lòng kiểm tra kết nối mạng và thử lại.";
const UPLOAD_REFUSED = "Kho lưu trữ từ chối tệp. Hãy kiểm tra loại và dung lượng tệp.";

/**
 * Upload a file with the presigned POST the API handed out (straight to storage, not through the API).
 * With `onProgress`, it is called with the fraction sent so far (0 to 1) while the file goes up.
 */
export async function upload(ticket, file, onProgress) {
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
  form.append("file", file);
  if (onProgress) return uploadWithProgress(ticket.url, form, onProgress);
  let response;
  try {
    response = await fetch(ticket.url, { method: "POST", body: form });
  } catch {
    throw new ApiError(0, "offline", UPLOAD_OFFLINE);
  }
  if (!response.ok) throw new ApiError(response.status, "upload_failed", UPLOAD_REFUSED);
}

// fetch() cannot report upload progress; XMLHttpRequest can.
function uploadWithProgress(url, form, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(new ApiError(request.status, "upload_failed", UPLOAD_REFUSED));
      }
    });
    request.addEventListener("error", () => reject(new ApiError(0, "offline", UPLOAD_OFFLINE)));
    request.send(form);
  });
}

/** An amount in đồng the Vietnamese way: 135.000 đồng. */
export function money(amount) {
  return `${new Intl.NumberFormat("vi-VN").format(amount)} đồng`;
}

/** Show a message in a status element (role="status" or role="alert" set in the page's HTML). */
export function say(element, text, kind = "info") {
  element.textContent = text;
  element.dataset.kind = kind;
}

/** A date from the API (YYYY-MM-DD, no time zone) the Vietnamese way: 23/11/2026. */
export function day(iso) {
  if (!iso) return "";
  const [year, month, date] = iso.slice(0, 10).split("-");
  return `${date}/${month}/${year}`;
}

let agencyList;
/** The catalogue's agencies (du-lieu/co-quan.json) as a Map code -> {code, name, level, parent}; empty if unavailable. */
export function agencies() {
  agencyList ??= fetch(site("du-lieu/co-quan.json"))
    .then((response) => (response.ok ? response.json() : { agencies: [] }))
    .catch(() => ({ agencies: [] }))
    .then((data) => new Map(data.agencies.map((agency) => [agency.code, agency])));
  return agencyList;
}

/**
 * A date-time from the API (ISO 8601) the Vietnamese way, in Vietnam's time whatever the device's
 * zone (deadlines and office hours are Vietnamese): 14:05 23/11/2026.
 */
export function when(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString("vi-VN", {
    timeZone: "Asia/Ho_Chi_Minh",
    hour: "2-digit",
    minute: "2-digit",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
  });
}
