// Thin fetch wrapper: query params from an object, API errors surfaced as messages.

export class ApiError extends Error {}

export function query(params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== "") qs.set(k, v);
  }
  const s = qs.toString();
  return s ? `?${s}` : "";
}

export async function getJSON(path, params) {
  const res = await fetch(path + query(params), { headers: { Accept: "application/json" } });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = await res.json();
      if (typeof body.detail === "string") message = body.detail;
    } catch {
      /* keep the status line */
    }
    throw new ApiError(message);
  }
  return res.json();
}

// Writes carry the token `newsledger serve` printed, as a bearer header: a page on another
// origin can neither read it nor make the browser send it, so the write is CSRF-safe.
export async function postJSON(path, body, token) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    credentials: "omit",
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    /* keep the status line */
  }
  if (!res.ok) throw new ApiError((data && typeof data.detail === "string" && data.detail) || `${res.status} ${res.statusText}`);
  return data;
}
