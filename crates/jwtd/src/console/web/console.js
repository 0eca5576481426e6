// The jwtd admin console: a client of jwtd's admin API, nothing more. Every rule and message
// is the API's; this script draws screens, sends the CSRF header, and renews the access cookie.
"use strict";
(() => {
  const config = JSON.parse(document.getElementById("config").textContent);
  const words = config.strings;
  const P = config.prefix;
  const app = document.getElementById("app");

  /** A word of the page in its language, `{0}`, `{1}` filled with `args`. */
  function t(key, ...args) {
    let text = words[key] ?? key;
    args.forEach((arg, i) => { text = text.replace(`{${i}}`, arg); });
    return text;
  }

  /** An element: attributes (`on…` are listeners) and children (strings become text). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else if (name === "class") el.className = value;
      else el.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  function cookie(name) {
    const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  // ---- the API -------------------------------------------------------------------------

  class SignedOut extends Error {}

  function send(method, path, body) {
    const headers = {
      "Accept": "application/json",
      "Accept-Language": config.lang,
      "X-CSRFToken": cookie(config.csrf_cookie),
    };
    const init = { method, headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(P + path, init);
  }

  let renewing = null;
  /** A new access cookie from the refresh cookie (one request however many callers wait). */
  function renew() {
    renewing = renewing || send("POST", "refresh/").then((r) => r.ok).finally(() => {
      renewing = null;
    });
    return renewing;
  }

  /** `{status, ok, data}` of an API call; a lapsed access cookie is renewed once. */
  async function api(method, path, body) {
    let response = await send(method, path, body);
    if (response.status === 401) {
      if (!(await renew())) {
        location.assign(P + "signin/");
        throw new SignedOut();
      }
      response = await send(method, path, body);
    }
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    return { status: response.status, ok: response.ok, data };
  }

  // ---- forms and messages --------------------------------------------------------------

  /** A labelled field; its errors appear right under it (`aria-describedby`). */
  function field(form, name, label, input) {
    input.id = `${form}-${name}`;
    input.name = name;
    const error = h("p", { class: "error", id: `${form}-${name}-error`, "aria-live": "polite" });
    input.setAttribute("aria-describedby", error.id);
    if (input.type === "checkbox") {
      return h("div", { class: "field check" }, h("label", { for: input.id }, input, " ", label), error);
    }
    return h("div", { class: "field" }, h("label", { for: input.id }, label), input, error);
  }

  /** Shows an API answer's errors next to their fields, the rest in the form's alert. */
  function showErrors(form, data, status) {
    clearErrors(form);
    const general = [];
    if (data && typeof data === "object") {
      for (const [name, messages] of Object.entries(data)) {
        const list = Array.isArray(messages) ? messages : [messages];
        const input = form.elements.namedItem(name);
        if (input && input.id) {
          document.getElementById(input.id + "-error").textContent = list.join(" ");
          input.setAttribute("aria-invalid", "true");
        } else if (name !== "code" && name !== "messages") {
          general.push(...list.map(String));
        }
      }
    } else {
      general.push(t("error_status", status));
    }
    const alert = form.querySelector(".alert");
    if (alert && general.length) alert.textContent = general.join(" ");
    const first = form.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  }

  function clearErrors(form) {
    form.querySelectorAll(".error, .alert").forEach((el) => { el.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  }

  function alertBox() {
    return h("p", { class: "alert", role: "alert" });
  }

  let flashText = "";
  /** A message for the next screen ("User created."). */
  function flash(text) { flashText = text; }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString(config.lang) : "—";
  }

  /** "Chrome on Linux" from a User-Agent. */
  function device(agent) {
    if (!agent) return t("unknown_device");
    const browser = [
      ["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"],
      ["Safari/", "Safari"], ["curl/", "curl"], ["python-requests", "Python requests"],
      ["okhttp", "OkHttp"],
    ].find(([mark]) => agent.includes(mark));
    const system = [
      ["Android", "Android"], ["iPhone", "iOS"], ["iPad", "iPadOS"], ["Windows", "Windows"],
      ["Mac OS X", "macOS"], ["Linux", "Linux"],
    ].find(([mark]) => agent.includes(mark));
    const name = browser ? browser[1] : agent.split(/[ /]/)[0];
    return system ? t("device_on", name, system[1]) : name;
  }

  /** A modal question; resolves true when confirmed. */
  function confirmDialog(question, confirmLabel) {
    return new Promise((resolve) => {
      const dialog = h("dialog", { "aria-labelledby": "confirm-question" },
        h("p", { id: "confirm-question" }, question),
        h("div", { class: "actions" },
          h("button", { class: "danger", value: "yes", onclick: () => dialog.close("yes") }, confirmLabel),
          // The safe answer has the focus: Enter or Escape keeps everything as it is.
          h("button", { value: "no", autofocus: true, onclick: () => dialog.close("no") }, t("cancel"))));
      dialog.addEventListener("close", () => {
        dialog.remove();
        resolve(dialog.returnValue === "yes");
      });
      document.body.append(dialog);
      dialog.showModal();
    });
  }

  function table(headings, rows, empty) {
    if (!rows.length) return h("p", { class: "empty" }, empty);
    return h("div", { class: "table" }, h("table", {},
      h("thead", {}, h("tr", {}, headings.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows)));
  }

  // ---- screens -------------------------------------------------------------------------

  /** English or Russian, remembered in a cookie the server reads. */
  function languageSwitch() {
    return h("select", { id: "language", "aria-label": t("language"), onchange: (e) => {
      document.cookie = `${config.language_cookie}=${e.target.value}; Path=${P}; Max-Age=31536000; SameSite=Strict`;
      location.reload();
    } }, h("option", { value: "en", selected: config.lang === "en" }, "English"),
    h("option", { value: "ru", selected: config.lang === "ru" }, "Русский"));
  }

  function chrome(content) {
    const here = location.hash.split("?")[0] || "#/users";
    const link = (href, label) => h("a", {
      href, "aria-current": here.startsWith(href) ? "page" : null,
    }, label);
    const signOut = h("button", { id: "sign-out", onclick: async () => {
      await send("POST", "signout/");
      location.assign(P + "signin/");
    } }, t("sign_out"));
    const main = h("main", { id: "main", tabindex: "-1" });
    if (flashText) {
      main.append(h("p", { class: "flash", role: "status" }, flashText));
      flashText = "";
    }
    main.append(...[content].flat(Infinity).filter((c) => c != null && c !== false));
    app.replaceChildren(
      h("header", {},
        h("span", { class: "brand" }, "jwtd"),
        h("nav", { "aria-label": t("sections") },
          link("#/users", t("users")), link("#/keys", t("keys")), link("#/activity", t("activity"))),
        h("div", { class: "who" }, config.user ? config.user.username : "", languageSwitch(), signOut)),
      main);
  }

  function params() {
    const query = location.hash.split("?")[1] || "";
    return new URLSearchParams(query);
  }

  async function usersScreen() {
    const q = params();
    const page = q.get("page") || "1";
    const search = h("form", { role: "search", class: "filters", onsubmit: (e) => {
      e.preventDefault();
      const f = new URLSearchParams();
      for (const name of ["search", "is_active", "role"]) {
        const value = e.target.elements[name].value.trim();
        if (value) f.set(name, value);
      }
      location.hash = "#/users?" + f.toString();
    } },
    field("filter", "search", t("search"), h("input", { type: "search", value: q.get("search") || "" })),
    field("filter", "is_active", t("status"), h("select", {},
      h("option", { value: "" }, t("all")),
      h("option", { value: "true", selected: q.get("is_active") === "true" }, t("active")),
      h("option", { value: "false", selected: q.get("is_active") === "false" }, t("inactive")))),
    field("filter", "role", t("role"), h("input", { type: "text", value: q.get("role") || "" })),
    h("button", { type: "submit" }, t("search_button")));

    const query = new URLSearchParams(q);
    query.set("page", page);
    const { ok, data, status } = await api("GET", "users/?" + query.toString());
    const rows = ok ? data.results.map((u) => h("tr", {},
      h("td", {}, h("a", { href: `#/users/${u.id}` }, u.username)),
      h("td", {}, u.email || "—"),
      h("td", {}, u.roles.join(", ") || "—"),
      h("td", {}, u.is_active ? t("yes") : t("no")),
      h("td", {}, when(u.last_login)))) : [];
    const pages = ok ? Math.max(1, Math.ceil(data.count / 20)) : 1;
    const go = (n) => { q.set("page", String(n)); location.hash = "#/users?" + q.toString(); };
    const pager = h("nav", { class: "pager", "aria-label": t("pages") },
      h("button", { disabled: !ok || !data.previous, onclick: () => go(Number(page) - 1) }, t("previous")),
      h("span", {}, t("page_of", page, pages, ok ? data.count : 0)),
      h("button", { disabled: !ok || !data.next, onclick: () => go(Number(page) + 1) }, t("next")));

    chrome([
      h("h1", {}, t("users")),
      search,
      ok ? table([t("username"), t("email"), t("roles"), t("active"), t("last_login")], rows, t("no_users"))
        : h("p", { class: "alert", role: "alert" }, (data && data.detail) || t("error_status", status)),
      pager,
      newUserForm(),
    ]);
  }

  function newUserForm() {
    const form = h("form", { id: "new-user", novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const el = form.elements;
      const body = {
        username: el.username.value,
        email: el.email.value,
        roles: splitRoles(el.roles.value),
        is_active: el.is_active.checked,
        password: el.password.value,
      };
      const { ok, data, status } = await api("POST", "users/", body);
      if (!ok) return showErrors(form, data, status);
      flash(t("user_created", data.username));
      location.hash = `#/users/${data.id}`;
    } },
    h("h2", {}, t("new_user")),
    alertBox(),
    field("new", "username", t("username"), h("input", { type: "text", required: true, autocomplete: "off" })),
    field("new", "email", t("email"), h("input", { type: "email", autocomplete: "off" })),
    field("new", "roles", t("roles_hint"), h("input", { type: "text", autocomplete: "off" })),
    field("new", "is_active", t("active"), h("input", { type: "checkbox", checked: true })),
    field("new", "password", t("password"), h("input", { type: "password", autocomplete: "new-password" })),
    h("button", { type: "submit" }, t("create")));
    return form;
  }

  function splitRoles(text) {
    return text.split(",").map((r) => r.trim()).filter(Boolean);
  }

  async function userScreen(id) {
    const [user, sessions] = await Promise.all([
      api("GET", `users/${id}/`), api("GET", `users/${id}/sessions/`)]);
    if (!user.ok) {
      return chrome([h("h1", {}, t("users")),
        h("p", { class: "alert", role: "alert" }, (user.data && user.data.detail) || t("error_status", user.status))]);
    }
    const u = user.data;
    const edit = h("form", { id: "edit-user", novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const el = edit.elements;
      const body = { email: el.email.value, roles: splitRoles(el.roles.value), is_active: el.is_active.checked };
      const { ok, data, status } = await api("PATCH", `users/${id}/`, body);
      if (!ok) return showErrors(edit, data, status);
      flash(t("saved"));
      userScreen(id);
    } },
    h("h2", {}, t("details")),
    alertBox(),
    field("edit", "email", t("email"), h("input", { type: "email", value: u.email })),
    field("edit", "roles", t("roles_hint"), h("input", { type: "text", value: u.roles.join(", ") })),
    field("edit", "is_active", t("active"), h("input", { type: "checkbox", checked: u.is_active })),
    h("button", { type: "submit" }, t("save")));

    const password = h("form", { id: "set-password", novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const el = password.elements;
      const body = { password: el.password.value, end_sessions: el.end_sessions.checked };
      const { ok, data, status } = await api("POST", `users/${id}/password/`, body);
      if (!ok) return showErrors(password, data, status);
      flash(t("password_set"));
      userScreen(id);
    } },
    h("h2", {}, t("set_password")),
    alertBox(),
    field("password", "password", t("new_password"), h("input", { type: "password", autocomplete: "new-password" })),
    field("password", "end_sessions", t("end_sessions"), h("input", { type: "checkbox", checked: true })),
    h("button", { type: "submit" }, t("set_password")));

    const status = h("p", { class: "alert", role: "alert" });
    const sessionRows = sessions.ok ? sessions.data.map((s) => h("tr", {},
      h("td", {}, device(s.user_agent)),
      h("td", {}, s.ip_address || "—"),
      h("td", {}, when(s.created)),
      h("td", {}, when(s.last_used)),
      h("td", {}, h("button", { class: "danger", "data-session": s.id, onclick: async () => {
        const r = await api("DELETE", `sessions/${s.id}/`);
        if (!r.ok) { status.textContent = (r.data && r.data.detail) || t("error_status", r.status); return; }
        flash(t("session_revoked"));
        userScreen(id);
      } }, t("revoke"))))) : [];
    const logoutAll = h("button", { class: "danger", id: "logout-all", onclick: async () => {
      const r = await api("POST", `users/${id}/logout/`);
      if (!r.ok) { status.textContent = (r.data && r.data.detail) || t("error_status", r.status); return; }
      flash(t("logged_out_everywhere"));
      userScreen(id);
    } }, t("revoke_all"));
    const remove = h("button", { class: "danger", id: "delete-user", onclick: async () => {
      if (!(await confirmDialog(t("delete_question", u.username), t("delete_named", u.username)))) return;
      const r = await api("DELETE", `users/${id}/`);
      if (!r.ok) { status.textContent = (r.data && r.data.detail) || t("error_status", r.status); return; }
      flash(t("user_deleted", u.username));
      location.hash = "#/users";
    } }, t("delete_user"));

    chrome([
      h("p", {}, h("a", { href: "#/users" }, "← " + t("users"))),
      h("h1", {}, u.username),
      h("p", { class: "meta" }, t("joined", when(u.date_joined)), " · ", t("last_login"), ": ", when(u.last_login)),
      status,
      h("div", { class: "columns" }, edit, password),
      h("section", { "aria-labelledby": "sessions-title" },
        h("h2", { id: "sessions-title" }, t("sessions")),
        table([t("device"), t("ip"), t("created"), t("last_used"), ""], sessionRows, t("no_sessions")),
        sessionRows.length ? logoutAll : null),
      h("section", { class: "danger-zone" }, h("h2", {}, t("danger_zone")), remove),
    ]);
  }

  const ALGORITHMS = ["ES256", "ES384", "EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

  function duration(seconds) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    if (m && s) return t("minutes_seconds", m, s);
    return m ? t("minutes", m) : t("seconds", s);
  }

  async function keysScreen() {
    const { ok, data, status } = await api("GET", "keys/");
    const notice = h("p", { class: "alert", role: "alert" });
    const say = (r) => { notice.textContent = (r.data && (r.data.detail || Object.values(r.data).flat().join(" "))) || t("error_status", r.status); };
    if (!ok) return chrome([h("h1", {}, t("keys")), h("p", { class: "alert", role: "alert" }, (data && data.detail) || t("error_status", status))]);
    if (!data.managed) {
      return chrome([h("h1", {}, t("keys")), h("p", {}, t("keys_unmanaged", data.algorithm))]);
    }
    const now = Date.now();
    const stateName = { next: t("state_next"), current: t("state_current"), retired: t("state_retired") };
    const next = data.keys.find((k) => k.state === "next");
    const rows = data.keys.map((k) => h("tr", { "data-state": k.state },
      h("td", {}, h("code", { title: k.kid }, k.kid.slice(0, 12) + "…")),
      h("td", {}, k.algorithm),
      h("td", {}, h("span", { class: "badge " + k.state }, stateName[k.state] || k.state)),
      h("td", {}, when(k.created)),
      h("td", {}, when(k.activated)),
      h("td", {}, k.state === "next" ? t("ready_at", when(k.ready_at)) : when(k.retires_at)),
      h("td", {}, k.state === "current" ? "" : h("button", { class: "danger", onclick: async () => {
        const revoke = k.state === "retired";
        const question = revoke ? t("revoke_key_question", k.kid) : t("withdraw_key_question", k.kid);
        if (!(await confirmDialog(question, revoke ? t("revoke_key") : t("withdraw_key")))) return;
        const r = await api("POST", `keys/${encodeURIComponent(k.kid)}/retire/`, { revoke });
        if (!r.ok) return say(r);
        flash(revoke ? t("key_revoked") : t("key_withdrawn"));
        keysScreen();
      } }, k.state === "retired" ? t("revoke_key") : t("withdraw_key")))));

    const generate = h("form", { id: "generate-key", class: "inline", onsubmit: async (e) => {
      e.preventDefault();
      const r = await api("POST", "keys/", { algorithm: generate.elements.algorithm.value });
      if (!r.ok) return showErrors(generate, r.data, r.status);
      flash(t("key_generated", r.data.kid));
      keysScreen();
    } },
    alertBox(),
    field("generate", "algorithm", t("algorithm"), h("select", {},
      ALGORITHMS.map((a) => h("option", { value: a, selected: a === data.algorithm }, a)))),
    h("button", { type: "submit" }, t("generate_key")));

    let rotateState;
    if (!next) rotateState = t("no_next_key");
    else {
      const left = Math.ceil((Date.parse(next.ready_at) - now) / 1000);
      rotateState = left > 0 ? t("next_ready_in", duration(left)) : t("next_ready");
    }
    const rotate = async (force) => {
      const r = await api("POST", "keys/rotate/", { now: force });
      if (r.status === 409 && !force && r.data && r.data.detail) {
        say(r);
        if (await confirmDialog(r.data.detail, t("rotate_now"))) return rotate(true);
        return;
      }
      if (!r.ok) return say(r);
      flash(r.status === 202 ? t("key_prepared", r.data.next, when(r.data.ready_at)) : t("key_rotated", r.data.current));
      keysScreen();
    };
    chrome([
      h("h1", {}, t("keys")),
      h("p", { class: "meta" }, t("keys_intro", data.algorithm, duration(data.publish_delay))),
      notice,
      table([t("kid"), t("algorithm"), t("state"), t("created"), t("activated"), t("retires"), ""], rows, t("no_keys")),
      h("section", { class: "columns" },
        h("div", {}, h("h2", {}, t("generate_key")), generate),
        h("div", {}, h("h2", {}, t("rotate")), h("p", { id: "rotate-state" }, rotateState),
          h("button", { id: "rotate", onclick: () => rotate(false) }, t("rotate")))),
    ]);
  }

  /** The chart's series: the activity fields, drawn in this order (CSS classes s0…s3). */
  const SERIES = [["logins"], ["failed_logins"], ["throttled"], ["reuse_detections"]];

  /** The last hour as stacked bars, one a minute, drawn as SVG (no library). */
  function chart(minutes) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = (tag, attrs, text) => {
      const el = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      if (text !== undefined) el.textContent = text;
      return el;
    };
    const width = 600, height = 180, pad = 24;
    const top = Math.max(1, ...minutes.map((m) => SERIES.reduce((n, [k]) => n + m[k], 0)));
    const slot = (width - 2 * pad) / minutes.length;
    const scale = (height - 2 * pad) / top;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-title", class: "chart" });
    root.append(svg("title", { id: "chart-title" }, t("chart_title")));
    root.append(svg("line", { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, class: "axis" }));
    root.append(svg("text", { x: 2, y: pad, class: "tick" }, String(top)));
    root.append(svg("text", { x: pad, y: height - 6, class: "tick" }, t("hour_ago")));
    root.append(svg("text", { x: width - pad, y: height - 6, class: "tick end" }, t("now")));
    minutes.forEach((m, j) => {
      let base = height - pad;
      SERIES.forEach(([key], i) => {
        if (!m[key]) return;
        const tall = m[key] * scale;
        base -= tall;
        root.append(svg("rect", {
          x: (pad + j * slot + 1).toFixed(1), y: base.toFixed(1),
          width: Math.max(1, slot - 2).toFixed(1), height: tall.toFixed(1), class: `bar s${i}`,
        }));
      });
    });
    return root;
  }

  async function activityScreen() {
    const q = params();
    const [activity, audit] = await Promise.all([
      api("GET", "activity/"), api("GET", "audit/?" + q.toString())]);
    const names = {
      logins: t("logins"), failed_logins: t("failed_logins"),
      throttled: t("throttled"), reuse_detections: t("reuse_detections"),
    };
    const totals = activity.ok ? SERIES.map(([key], i) => h("li", {},
      h("span", { class: `swatch s${i}` }), names[key], ": ",
      h("strong", { "data-total": key }, activity.data.minutes.reduce((n, m) => n + m[key], 0)))) : [];
    const filters = h("form", { class: "filters", id: "audit-filters", onsubmit: (e) => {
      e.preventDefault();
      const f = new URLSearchParams();
      const el = filters.elements;
      if (el.action.value.trim()) f.set("action", el.action.value.trim());
      if (el.user.value.trim()) f.set("user", el.user.value.trim());
      if (el.since.value) f.set("since", new Date(el.since.value).toISOString().replace(/\.\d+Z$/, "Z"));
      location.hash = "#/activity?" + f.toString();
    } },
    field("audit", "action", t("action"), h("input", { type: "text", value: q.get("action") || "", placeholder: "user.created" })),
    field("audit", "user", t("user_id"), h("input", { type: "text", inputmode: "numeric", value: q.get("user") || "" })),
    field("audit", "since", t("since"), h("input", { type: "datetime-local" })),
    h("button", { type: "submit" }, t("filter")));
    let log;
    if (audit.ok) {
      const rows = audit.data.results.map((a) => h("tr", {},
        h("td", {}, when(a.time)),
        h("td", {}, h("code", {}, a.action)),
        h("td", {}, a.actor),
        h("td", {}, a.target_user == null ? "—" : h("a", { href: `#/users/${a.target_user}` }, String(a.target_user))),
        h("td", {}, a.ip_address || "—"),
        h("td", { class: "detail" }, a.detail && Object.keys(a.detail).length ? JSON.stringify(a.detail) : "")));
      const page = Number(q.get("page") || "1");
      const go = (n) => { q.set("page", String(n)); location.hash = "#/activity?" + q.toString(); };
      log = [table([t("time"), t("action"), t("actor"), t("user"), t("ip"), t("detail")], rows, t("no_entries")),
        h("nav", { class: "pager", "aria-label": t("pages") },
          h("button", { disabled: !audit.data.previous, onclick: () => go(page - 1) }, t("previous")),
          h("span", {}, t("page_of", page, Math.max(1, Math.ceil(audit.data.count / 20)), audit.data.count)),
          h("button", { disabled: !audit.data.next, onclick: () => go(page + 1) }, t("next")))];
    } else {
      log = [];
      showErrors(filters, audit.data, audit.status);
    }
    chrome([
      h("h1", {}, t("activity")),
      h("p", { class: "meta" }, t("activity_intro")),
      activity.ok ? chart(activity.data.minutes) : null,
      h("ul", { class: "legend" }, totals),
      h("h2", {}, t("audit_log")),
      filters,
      h("p", { class: "alert", role: "alert" }),
      log,
    ]);
  }

  function signinScreen() {
    const login = config.login_field;
    const form = h("form", { id: "signin", novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const body = { [login]: form.elements[login].value, password: form.elements.password.value };
      const response = await fetch(P + "signin/", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "Accept-Language": config.lang },
        body: JSON.stringify(body),
      });
      if (response.ok) { location.assign(P); return; }
      showErrors(form, await response.json().catch(() => null), response.status);
    } },
    h("h1", {}, t("sign_in_title")),
    alertBox(),
    field("signin", login, login === "email" ? t("email") : t("username"),
      h("input", { type: login === "email" ? "email" : "text", autocomplete: "username", required: true, autofocus: true })),
    field("signin", "password", t("password"), h("input", { type: "password", autocomplete: "current-password", required: true })),
    h("button", { type: "submit" }, t("sign_in")));
    app.replaceChildren(h("main", { class: "signin" }, h("p", { class: "brand" }, "jwtd"), form, languageSwitch()));
  }

  async function route() {
    const [path] = location.hash.slice(1).split("?");
    const parts = path.split("/").filter(Boolean);
    try {
      if (parts[0] === "users" && parts[1]) await userScreen(parts[1]);
      else if (parts[0] === "keys") await keysScreen();
      else if (parts[0] === "activity") await activityScreen();
      else await usersScreen();
      const heading = document.querySelector("main h1");
      if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
      document.body.dataset.screen = parts[0] || "users";
    } catch (e) {
      if (!(e instanceof SignedOut)) throw e;
    }
  }

  if (config.screen === "signin") {
    signinScreen();
    document.body.dataset.screen = "signin";
  } else {
    window.addEventListener("hashchange", route);
    route();
  }
})();
