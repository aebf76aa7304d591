// The login page, and the pieces every staff page shares: opening a page with the
// session and the user's language, the top bar (who, where, language, log out) and
// the home page of each role. The desktop, wallboard and admin modules import this
// file; the login form only starts on the login page itself.

import {
  api,
  ApiError,
  el,
  lang,
  LANGS,
  loadLocale,
  pickLang,
  replaceChildren,
  requireSession,
  setCsrfToken,
  setTimeZone,
  showFormError,
  clearFormErrors,
  t,
  toast,
} from "./common.js";

/** Remembers the language picked before logging in (no session to store it in yet). */
const LANG_KEY = "moked.lang";

/** The page each role lands on after logging in. */
export function homeOf(role) {
  if (role === "admin") return "/admin";
  if (role === "supervisor") return "/wallboard";
  return "/desktop";
}

/** Whether `role` may open a page meant for `needed` (admin ⊃ supervisor ⊃ agent). */
export function roleAtLeast(role, needed) {
  const rank = { agent: 1, supervisor: 2, admin: 3 };
  return (rank[role] || 0) >= (rank[needed] || 99);
}

/**
 * Opens a staff page: reads the session (or goes to the login page), loads the
 * user's language and the organization's time zone, and sends a user whose role
 * is too low to their own home page. Returns the session, or null when leaving.
 */
export async function openStaffPage(neededRole) {
  let session;
  try {
    session = await requireSession();
  } catch (e) {
    await loadLocale(pickLang(localStorage.getItem(LANG_KEY) || "he"));
    showFatal(e);
    return null;
  }
  if (!session) return null;
  window.addEventListener("moked:unauthorized", () => {
    location.href = "/login?next=" + encodeURIComponent(location.pathname);
  });
  await loadLocale(session.lang || (session.user && session.user.lang));
  setTimeZone(session.org && session.org.time_zone);
  const role = session.user && session.user.role;
  if (!roleAtLeast(role, neededRole)) {
    location.replace(homeOf(role));
    return null;
  }
  return session;
}

/** Replaces the page with an error message (the server could not be reached). */
export function showFatal(err) {
  const app = document.getElementById("app");
  replaceChildren(app, el("p", { class: "error-box", role: "alert", text: t("error.load", { detail: err.message }) }));
  app.removeAttribute("aria-busy");
}

/**
 * The top bar of the desktop, wallboard and admin pages: brand, organization, the
 * pages this role may open, the user's name, the language switch and log out.
 * `extra` nodes (the desktop's status selector) go before the user's name.
 */
export function topbar(session, current, ...extra) {
  const role = session.user.role;
  // Only agents take contacts: supervisors and admins have no desk in the live center.
  const links = [
    ["desktop", "/desktop", "agent"],
    ["wallboard", "/wallboard", "supervisor"],
    ["admin", "/admin", "admin"],
  ]
    .filter(([name, , needed]) => (name === "desktop" ? role === "agent" : roleAtLeast(role, needed)))
    .map(([name, href]) =>
      el("a", { href, "aria-current": name === current ? "page" : null, text: t(`nav.${name}`) }),
    );
  return el(
    "header",
    { class: "topbar" },
    el("span", { class: "brand", text: t("app.name") }),
    el("span", { class: "org", text: session.org ? session.org.name : "" }),
    el("nav", { class: "nav", "aria-label": t("nav.label") }, links),
    el("span", { class: "spacer" }),
    extra,
    el("span", { class: "who", text: session.user.display_name || session.user.login }),
    langSwitch(async (next) => {
      await api("PUT", "/me/lang", { lang: next });
      location.reload();
    }),
    el("button", { type: "button", class: "secondary", on: { click: logout }, text: t("nav.logout") }),
  );
}

/** A he/en selector; `onChange(lang)` is awaited, its failure shown as a toast. */
function langSwitch(onChange) {
  const id = "lang-" + Math.random().toString(36).slice(2, 8);
  const select = el(
    "select",
    {
      id,
      on: {
        change: async () => {
          try {
            await onChange(select.value);
          } catch (e) {
            toast(e.message, "error");
          }
        },
      },
    },
    LANGS.map((code) => el("option", { value: code, selected: code === lang(), text: t(`lang.${code}`) })),
  );
  return el("span", { class: "lang" }, el("label", { for: id, text: t("lang.label") }), select);
}

async function logout() {
  try {
    await api("POST", "/logout");
  } finally {
    location.href = "/login";
  }
}

/** Where to go after logging in: the `next` page when it is one of ours, else the role's home. */
function destination(role) {
  const next = new URLSearchParams(location.search).get("next");
  const ours = ["/desktop", "/wallboard", "/admin"];
  if (next && ours.includes(next)) {
    const needed = { "/desktop": "agent", "/wallboard": "supervisor", "/admin": "admin" }[next];
    if (roleAtLeast(role, needed)) return next;
  }
  return homeOf(role);
}

function field(name, type, autocomplete, extra = {}) {
  const id = `login-${name}`;
  return el(
    "div",
    { class: "field" },
    el("label", { for: id, text: t(`login.${name}`) }),
    el("input", { id, name, type, autocomplete, required: true, ...extra }),
    el("div", { class: "field-error", "data-error-for": name, "aria-live": "polite" }),
  );
}

function loginForm() {
  const lastOrg = localStorage.getItem("moked.org") || "";
  const form = el(
    "form",
    { class: "login-card", novalidate: true, "aria-labelledby": "login-heading" },
    el(
      "div",
      { class: "lang-switch" },
      langSwitch(async (next) => {
        localStorage.setItem(LANG_KEY, next);
        await renderLogin(next);
      }),
    ),
    el("h1", { id: "login-heading", text: t("login.heading") }),
    field("org", "text", "organization", { value: lastOrg, autocapitalize: "none", spellcheck: "false" }),
    field("login", "text", "username", { autocapitalize: "none", spellcheck: "false" }),
    field("password", "password", "current-password"),
    el("div", { class: "error-box", role: "alert", hidden: true, "data-general-error": "" }),
    el("button", { type: "submit", class: "primary", text: t("login.submit") }),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submitLogin(form);
  });
  return form;
}

async function submitLogin(form) {
  clearFormErrors(form);
  const general = form.querySelector("[data-general-error]");
  general.hidden = true;
  const data = Object.fromEntries(new FormData(form).entries());
  const missing = ["org", "login", "password"].find((k) => !String(data[k] || "").trim());
  if (missing) {
    showFormError(form, { field: missing, message: t("login.required") });
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const session = await api("POST", "/login", {
      org: data.org.trim(),
      login: data.login.trim(),
      password: data.password,
    });
    setCsrfToken(session.csrf_token);
    localStorage.setItem("moked.org", data.org.trim());
    await keepChosenLang(session);
    location.href = destination(session.user.role);
  } catch (e) {
    showLoginError(form, general, e);
    button.disabled = false;
  }
}

/** A language picked on the login page becomes the user's language. */
async function keepChosenLang(session) {
  const chosen = localStorage.getItem(LANG_KEY);
  if (chosen && chosen !== session.lang) {
    try {
      await api("PUT", "/me/lang", { lang: chosen });
    } catch {
      // The login itself worked; the user can switch again from the top bar.
    }
  }
}

function showLoginError(form, general, e) {
  const named = e instanceof ApiError && e.field && form.querySelector(`[data-error-for="${CSS.escape(e.field)}"]`);
  if (named) {
    showFormError(form, e);
    return;
  }
  general.textContent = e instanceof ApiError && e.status === 401 ? t("login.failed") : e.message;
  if (e instanceof ApiError && e.status === 429) general.textContent = t("login.rate_limited");
  general.hidden = false;
}

async function renderLogin(chosen) {
  await loadLocale(chosen);
  const app = document.getElementById("app");
  app.className = "login-page";
  const form = loginForm();
  replaceChildren(app, el("main", {}, form));
  app.removeAttribute("aria-busy");
  const first = form.querySelector(form.elements.org.value ? "#login-login" : "#login-org");
  first.focus();
}

/** An open session goes straight to its page; otherwise the form. */
async function startLogin() {
  try {
    const session = await api("GET", "/session");
    if (session && session.user) {
      location.replace(destination(session.user.role));
      return;
    }
  } catch {
    // No session: show the form.
  }
  const params = new URLSearchParams(location.search);
  // Hebrew unless a language was chosen here before: staff screens do not follow the browser.
  await renderLogin(pickLang(params.get("lang") || localStorage.getItem(LANG_KEY) || "he"));
}

if (document.body.classList.contains("login-body")) startLogin();
