// Progressive enhancement only: every page reads and works without this file.
(function () {
  "use strict";
  var siteZone = "America/New_York";

  // Online events: add the visitor's own time when their zone is not the site's.
  function localTimes() {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === siteZone) { return; }
    var clock = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "numeric", minute: "2-digit", timeZoneName: "short" });
    document.querySelectorAll("time.local-time[datetime]").forEach(function (el) {
      var start = new Date(el.getAttribute("datetime"));
      if (isNaN(start.getTime())) { return; }
      var note = document.createElement("span");
      note.className = "local";
      note.textContent = " (" + clock.format(start) + " your time)";
      el.after(note);
    });
  }

  // A local build points subscribe links at EVENTS_LOCAL_ORIGIN; use the origin actually serving the page.
  function localOrigin() {
    if (location.protocol !== "http:" && location.protocol !== "https:") { return; }
    document.querySelectorAll("[data-local-origin]").forEach(function (control) {
      var from = control.getAttribute("data-local-origin");
      var host = from.replace(/^https?:\/\//, "");
      if (!host || host === location.host) { return; }
      var pairs = [[from, location.origin], ["webcal://" + host, "webcal://" + location.host]];
      pairs = pairs.concat(pairs.map(function (p) { return [encodeURIComponent(p[0]), encodeURIComponent(p[1])]; }));
      control.querySelectorAll("[data-feed]").forEach(function (el) {
        var attr = el.tagName === "INPUT" ? "value" : "href";
        var value = el.getAttribute(attr) || "";
        pairs.forEach(function (p) { value = value.split(p[0]).join(p[1]); });
        el.setAttribute(attr, value);
        if (attr === "value") { el.value = value; }
      });
    });
  }

  // Copy buttons stay hidden without a clipboard to write to.
  function copyButtons() {
    if (!navigator.clipboard) { return; }
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          button.textContent = "Copied";
        }, function () {
          field.select();
        });
      });
    });
  }

  function search() {
    var box = document.getElementById("search");
    if (!box || typeof PagefindUI === "undefined") { return; }
    new PagefindUI({ element: "#search", bundlePath: box.getAttribute("data-bundle"), showSubResults: false, showImages: false, resetStyles: false });
    // The UI's field has only a title; give it a name screen readers announce.
    box.querySelectorAll("input.pagefind-ui__search-input").forEach(function (input) {
      input.setAttribute("aria-label", "Search events");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.documentElement.getAttribute("data-zone");
    if (zone) { siteZone = zone; }
    localTimes();
    localOrigin();
    copyButtons();
    search();
  });
}());
