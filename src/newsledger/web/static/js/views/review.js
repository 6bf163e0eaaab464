// Review forms for the article reader: confirm, reject or correct a claim, a quote or a place.
import { getJSON, postJSON } from "../api.js";
import { h } from "../dom.js";

const NAME_KEY = "newsledger.reviewer";
const TOKEN_KEY = "newsledger.token";
const MODALITIES = ["asserted", "denied", "conditional", "attempted", "predicted", "reported", "questioned"];
const QUOTE_KINDS = ["direct", "partial", "indirect", "title", "term", "scare"];
export const REVIEWABLE = { claims: "claim", quotes: "quote", places: "place" };

function stored(storage, key) {
  try {
    return window[storage].getItem(key) || "";
  } catch {
    return "";
  }
}

function keep(storage, key, value) {
  try {
    window[storage].setItem(key, value);
  } catch {
    /* private mode: asked again next time */
  }
}

// Who reviews and the write token: the name persists, the token only for this browser session.
export function reviewerSettings() {
  const name = h("input", { id: "reviewer-name", type: "text", autocomplete: "name", value: stored("localStorage", NAME_KEY), placeholder: "Your name" });
  const token = h("input", { id: "reviewer-token", type: "password", autocomplete: "off", value: stored("sessionStorage", TOKEN_KEY), placeholder: "Token from `newsledger serve`" });
  name.addEventListener("change", () => keep("localStorage", NAME_KEY, name.value.trim()));
  token.addEventListener("change", () => keep("sessionStorage", TOKEN_KEY, token.value.trim()));
  return h("details", { class: "reviewer", id: "reviewer" }, h("summary", null, "Reviewer: ", stored("localStorage", NAME_KEY) || "not set"),
    h("div", { class: "reviewer-fields" },
      h("label", { for: "reviewer-name" }, "Name"), name,
      h("label", { for: "reviewer-token" }, "Write token"), token));
}

function summarise(value) {
  if (value === null || value === undefined) return "none";
  if (typeof value === "object") return value.name || value.text || value.code || JSON.stringify(value);
  return String(value);
}

export function reviewStatus(review) {
  if (!review) return h("p", { class: "review-status muted" }, "Not reviewed yet.");
  const changes = Object.entries(review.after || {}).map(([k, v]) => `${k}: ${summarise((review.before || {})[k])} → ${summarise(v)}`);
  return h("p", { class: `review-status review-${review.verdict}` },
    h("span", { class: `badge review-badge review-${review.verdict}` }, review.verdict), ` by ${review.by || "anonymous"}, ${String(review.at || "").slice(0, 16).replace("T", " ")}`,
    changes.length ? h("span", { class: "review-changes" }, ` · ${changes.join("; ")}`) : null,
    review.note ? h("span", { class: "review-note" }, ` · “${review.note}”`) : null);
}

export function reviewBadge(review) {
  return review ? h("span", { class: `badge review-badge review-${review.verdict}`, title: `reviewed by ${review.by || "anonymous"}` }, review.verdict) : null;
}

function field(id, label, control) {
  return h("div", { class: "review-field" }, h("label", { for: id }, label), control);
}

function select(id, options, value) {
  const el = h("select", { id }, options.map((o) => h("option", { value: o }, o)));
  el.value = value || options[0];
  return el;
}

// A place is corrected by picking another gazetteer entry for a name.
function placePicker(prefix, initial) {
  const name = h("input", { id: `${prefix}-place-name`, type: "search", value: initial || "" });
  const choices = h("select", { id: `${prefix}-place-choice`, "aria-label": "Gazetteer entry" }, h("option", { value: "" }, "— search first —"));
  const find = h("button", { type: "button", id: `${prefix}-place-find`, onclick: async () => {
    choices.replaceChildren();
    try {
      const data = await getJSON("/api/gazetteer", { name: name.value.trim() });
      if (!data.items.length) choices.append(h("option", { value: "" }, "no entry with that name"));
      for (const c of data.items) {
        if (!c.geonames_id) continue;
        choices.append(h("option", { value: String(c.geonames_id) },
          `${c.name} (${c.feature}, ${c.country_code || "?"}${c.admin1 ? " " + c.admin1 : ""}) · GeoNames ${c.geonames_id}`));
      }
    } catch (err) {
      choices.append(h("option", { value: "" }, err.message));
    }
  } }, "Find");
  return { el: h("div", { class: "place-picker" }, field(`${prefix}-place-name`, "Place name", h("span", { class: "row" }, name, find)),
    field(`${prefix}-place-choice`, "GeoNames entry", choices)), value: () => choices.value };
}

function correctionForm(kind, rec, submit) {
  const prefix = `fix-${kind}-${rec.id}`;
  const parts = [];
  let collect;
  if (kind === "claim") {
    const type = h("input", { id: `${prefix}-type`, type: "text", value: rec.type || "", autocapitalize: "characters" });
    const modality = select(`${prefix}-modality`, MODALITIES, rec.modality);
    const actor = h("input", { id: `${prefix}-actor`, type: "text", value: rec.actor?.text || "" });
    const picker = placePicker(prefix, rec.place?.name || rec.place?.text || "");
    parts.push(field(`${prefix}-type`, "Type", type), field(`${prefix}-modality`, "Modality", modality), field(`${prefix}-actor`, "Actor", actor), picker.el);
    collect = () => {
      const set = {};
      if (type.value.trim().toUpperCase() !== (rec.type || "")) set.type = type.value.trim();
      if (modality.value !== rec.modality) set.modality = modality.value;
      if (actor.value.trim() !== (rec.actor?.text || "")) set.actor = actor.value.trim();
      if (picker.value()) set.place = picker.value();
      return set;
    };
  } else if (kind === "quote") {
    const speaker = h("input", { id: `${prefix}-speaker`, type: "text", value: rec.speaker || "" });
    const qkind = select(`${prefix}-kind`, QUOTE_KINDS, rec.kind);
    parts.push(field(`${prefix}-speaker`, "Speaker", speaker), field(`${prefix}-kind`, "Kind", qkind));
    collect = () => {
      const set = {};
      if (speaker.value.trim() !== (rec.speaker || "")) set.speaker = speaker.value.trim();
      if (qkind.value !== rec.kind) set.kind = qkind.value;
      return set;
    };
  } else {
    const picker = placePicker(prefix, rec.text || rec.name || "");
    parts.push(picker.el);
    collect = () => (picker.value() ? { geonames_id: picker.value() } : {});
  }
  const note = h("input", { id: `${prefix}-note`, type: "text", placeholder: "optional" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  return h("form", { class: "review-form", id: `${prefix}-form`, onsubmit: async (e) => {
    e.preventDefault();
    const set = collect();
    if (!Object.keys(set).length) {
      error.hidden = false;
      error.textContent = "Change at least one field, or use Confirm.";
      return;
    }
    await submit("corrected", set, note.value.trim(), error);
  } }, parts, field(`${prefix}-note`, "Note", note), error, h("button", { type: "submit", id: `${prefix}-save` }, "Save correction"));
}

// The review block of one annotation card; ``done`` re-renders the article after a write.
export function reviewBlock(layerKey, rec, done) {
  const kind = REVIEWABLE[layerKey];
  if (!kind || rec.id === undefined) return null;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const submit = async (verdict, set, note, errEl = error) => {
    const name = document.getElementById("reviewer-name")?.value.trim() || stored("localStorage", NAME_KEY);
    const token = document.getElementById("reviewer-token")?.value.trim() || stored("sessionStorage", TOKEN_KEY);
    if (name) keep("localStorage", NAME_KEY, name);
    if (token) keep("sessionStorage", TOKEN_KEY, token);
    if (!token) {
      errEl.hidden = false;
      errEl.textContent = "Reviews need the write token that `newsledger serve` printed: enter it under Reviewer.";
      document.getElementById("reviewer")?.setAttribute("open", "");
      return;
    }
    try {
      const saved = await postJSON("/api/reviews", { kind, id: rec.id, verdict, set: set || {}, by: name || null, note: note || null }, token);
      done(saved);
    } catch (err) {
      errEl.hidden = false;
      errEl.textContent = `Review not saved: ${err.message}`;
    }
  };
  const box = h("div", { class: "review-block", "data-kind": kind, "data-id": rec.id });
  const formSlot = h("div", { class: "review-form-slot" });
  box.append(reviewStatus(rec.review),
    h("div", { class: "review-actions" },
      h("button", { type: "button", class: "review-confirm", id: `review-${kind}-${rec.id}-confirm`, onclick: () => submit("confirmed") }, "Confirm"),
      h("button", { type: "button", class: "review-reject", id: `review-${kind}-${rec.id}-reject`, onclick: () => submit("rejected") }, "Reject"),
      h("button", { type: "button", class: "review-correct", id: `review-${kind}-${rec.id}-correct`, "aria-expanded": "false", onclick: (e) => {
        const open = e.currentTarget.getAttribute("aria-expanded") === "true";
        e.currentTarget.setAttribute("aria-expanded", open ? "false" : "true");
        formSlot.replaceChildren(open ? "" : correctionForm(kind, rec, submit));
      } }, "Correct…")),
    error, formSlot);
  return box;
}
