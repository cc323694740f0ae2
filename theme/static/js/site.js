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

  // Search: Pagefind's JavaScript API behind a plain form; the facets come from the index itself.
  var FACETS = [["topic", "Topic"], ["group", "Group"], ["state", "State"], ["attendance", "Online or in person"], ["status", "Status"]];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  var RESULT_LIMIT = 100;

  function monthsBetween(from, to) {
    var names = [];
    var year = +from.slice(0, 4), month = +from.slice(5, 7) - 1;
    var endYear = +to.slice(0, 4), endMonth = +to.slice(5, 7) - 1;
    while ((year < endYear || (year === endYear && month <= endMonth)) && names.length < 240) {
      names.push(MONTHS[month] + " " + year);
      month += 1;
      if (month === 12) { month = 0; year += 1; }
    }
    return names;
  }

  function option(select, value, label) {
    var opt = document.createElement("option");
    opt.value = value;
    opt.textContent = label;
    select.appendChild(opt);
  }

  function search() {
    var form = document.getElementById("search-form");
    if (!form) { return; }
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var words = document.getElementById("search-q");
    var from = document.getElementById("search-from");
    var to = document.getElementById("search-to");
    var selects = [];
    var latest = 0;
    var pagefind;
    var shards = [];

    function readUrl() {
      var params = new URLSearchParams(location.search);
      words.value = params.get("q") || "";
      from.value = params.get("from") || "";
      to.value = params.get("to") || "";
      selects.forEach(function (select) { select.value = params.get(select.name) || ""; });
    }

    function writeUrl() {
      var params = new URLSearchParams();
      if (words.value.trim()) { params.set("q", words.value.trim()); }
      selects.forEach(function (select) { if (select.value) { params.set(select.name, select.value); } });
      if (from.value) { params.set("from", from.value); }
      if (to.value) { params.set("to", to.value); }
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    }

    function show(results, total) {
      list.textContent = "";
      results.forEach(function (data) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = data.url;
        link.textContent = data.meta.title || data.url;
        var when = document.createElement("p");
        when.className = "when";
        when.textContent = data.meta.when || "";
        var excerpt = document.createElement("p");
        excerpt.className = "excerpt";
        excerpt.innerHTML = data.excerpt;  // Pagefind's excerpt of our own escaped page text, with <mark> around matches
        item.append(link, when, excerpt);
        list.appendChild(item);
      });
      var shown = results.length < total ? " (the first " + results.length + " shown)" : "";
      status.textContent = total === 1 ? "1 event found." : total + " events found" + shown + ".";
    }

    // Every event matching the filters, oldest first. Pagefind merges the bundles by score, and a sorted
    // search scores a result by its rank within its own bundle, so merged the months would interleave.
    // The bundles are months, listed oldest first: each one's results by date, one bundle after the
    // other, are all the results by date. Each bundle has a "shard" filter (mergeFilter) to ask it alone.
    async function byDate(filters) {
      var sort = { date: "asc" };
      var response = await pagefind.search(null, { filters: filters, sort: sort });
      var counts = response.filters.shard || {};
      var holding = shards.filter(function (shard) { return counts[shard]; });
      if (holding.length < 2) { return response; }
      var results = [];
      for (var i = 0; i < holding.length && results.length < RESULT_LIMIT; i++) {
        var one = await pagefind.search(null, { filters: Object.assign({}, filters, { shard: holding[i] }), sort: sort });
        results = results.concat(one.results.slice(0, RESULT_LIMIT - results.length));
      }
      return { results: results, total: response.results.length };
    }

    async function run() {
      var ticket = ++latest;
      writeUrl();
      var filters = {};
      selects.forEach(function (select) { if (select.value) { filters[select.name] = select.value; } });
      var first = from.value, last = to.value;
      if (first || last) {
        filters.month = { any: monthsBetween(first || "2000-01-01", last || "2099-12-31") };
      }
      var term = words.value.trim();
      if (!term && !Object.keys(filters).length) {
        list.textContent = "";
        status.textContent = "Type a word, or choose a topic, group, place or dates.";
        return;
      }
      var response = term ? await pagefind.search(term, { filters: filters }) : await byDate(filters);
      var found = await Promise.all(response.results.slice(0, RESULT_LIMIT).map(function (r) { return r.data(); }));
      if (ticket !== latest) { return; }
      var total = response.total === undefined ? response.results.length : response.total;
      if (first || last) {
        found = found.filter(function (data) {
          var start = data.meta.date || "", end = data.meta.last || start;
          return (!first || end >= first) && (!last || start <= last);
        });
        total = found.length;
      }
      show(found, total);
    }

    // One Pagefind bundle per month, listed oldest first in shards.json (written with the index, so this
    // page does not change when events do): the first is loaded, the others merged into it.
    var bundles = form.getAttribute("data-bundle");
    var base = form.getAttribute("data-base") || "/";
    fetch(bundles + "shards.json", { cache: "no-cache" }).then(function (response) {
      if (!response.ok) { throw new Error("no search index"); }
      return response.json();
    }).then(async function (list) {
      shards = (list && list.shards) || [];
      if (!shards.length) { throw new Error("an empty search index"); }
      pagefind = await import(bundles + shards[0] + "/pagefind.js");
      await pagefind.options({ baseUrl: base, mergeFilter: { shard: shards[0] } });
      await Promise.all(shards.slice(1).map(function (shard) {
        return pagefind.mergeIndex(bundles + shard + "/", { baseUrl: base, mergeFilter: { shard: shard } });
      }));
      var available = await pagefind.filters();
      var holder = form.querySelector("[data-facets]");
      FACETS.forEach(function (facet) {
        var values = available[facet[0]];
        if (!values || !Object.keys(values).length) { return; }
        var wrap = document.createElement("p");
        var label = document.createElement("label");
        var select = document.createElement("select");
        select.id = "facet-" + facet[0];
        select.name = facet[0];
        label.htmlFor = select.id;
        label.textContent = facet[1];
        option(select, "", "Any");
        Object.keys(values).sort(function (a, b) { return a.localeCompare(b); }).forEach(function (value) {
          option(select, value, value + " (" + values[value] + ")");
        });
        wrap.append(label, " ", select);
        holder.appendChild(wrap);
        selects.push(select);
      });
      form.classList.remove("pending");
      readUrl();
      var timer;
      form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 200); });
      form.addEventListener("change", run);
      form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
      run();
    }).catch(function () {
      status.textContent = "Search is not available: this build has no search index. Every listing still works.";
    });
  }

  // A navigation row wider than the screen scrolls sideways; a fading edge says there is more.
  function navOverflow() {
    var row = document.querySelector("header.site nav ul");
    if (!row) { return; }
    var mark = function () { row.classList.toggle("more-right", row.scrollLeft + row.clientWidth < row.scrollWidth - 2); };
    row.addEventListener("scroll", mark, { passive: true });
    window.addEventListener("resize", mark);
    mark();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.documentElement.getAttribute("data-zone");
    if (zone) { siteZone = zone; }
    navOverflow();
    localTimes();
    localOrigin();
    copyButtons();
    search();
  });
}());
