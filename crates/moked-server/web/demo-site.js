// The demo website's own script (not part of the widget): chooses Hebrew or English
// from `?lang=` before the page is parsed (the widget then follows the page's language),
// fills the page's strings from the widget locale and shows the embed snippet.
(function () {
  "use strict";
  const lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "he";
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "he" ? "rtl" : "ltr";

  async function fill() {
    const res = await fetch(`/locales/${lang}/widget.json`);
    const strings = await res.json();
    for (const node of document.querySelectorAll("[data-i18n]")) {
      const text = strings[node.dataset.i18n];
      if (typeof text === "string") node.textContent = text;
    }
    const other = lang === "he" ? "en" : "he";
    const switcher = document.getElementById("lang-switch");
    switcher.href = `/demo-site?lang=${other}`;
    switcher.lang = other;
    document.getElementById("embed-code").textContent =
      `<script src="${location.origin}/widget.js" data-org="demo" data-lang="${lang}" async></script>`;
  }

  document.addEventListener("DOMContentLoaded", () => {
    fill().catch((err) => console.error("demo site strings", err));
  });
})();
