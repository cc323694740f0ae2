// The contribution forms: build one YAML file from the form, check it against the
// published JSON Schema of its kind, show each problem next to its field, and open
// GitHub's new-file page with the file name and text filled in. No server, no
// token, no third-party code. Without JavaScript the page shows the file to copy.
(function () {
  "use strict";

  // --- A JSON Schema (2020-12) checker for the keywords the input schemas use ---

  function typeOf(value) {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return typeof value;
  }

  function hasType(value, type) {
    var actual = typeOf(value);
    return actual === type || (type === "number" && actual === "integer");
  }

  function isDate(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) return false;
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  }

  function resolve(root, schema) {
    while (schema && schema.$ref) {
      var parts = schema.$ref.replace(/^#\//, "").split("/");
      schema = parts.reduce(function (node, key) { return node[key]; }, root);
    }
    return schema;
  }

  // Every problem of `value` as [{path, keyword, missing, description}], `description`
  // being the nearest field description (the validator's "expected" text).
  function check(root, schema, value, path, description) {
    schema = resolve(root, schema);
    var errors = [];
    var about = schema.description || description;
    function fail(keyword, extra) {
      var error = { path: path, keyword: keyword, description: about };
      Object.keys(extra || {}).forEach(function (k) { error[k] = extra[k]; });
      errors.push(error);
    }
    if (schema.type !== undefined) {
      var types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some(function (t) { return hasType(value, t); })) { fail("type"); return errors; }
    }
    if (schema.const !== undefined && value !== schema.const) fail("const");
    if (schema.enum && schema.enum.indexOf(value) < 0) fail("enum");
    if (typeof value === "string") {
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) fail("pattern");
      if (schema.minLength !== undefined && value.length < schema.minLength) fail("minLength");
      if (schema.format === "date" && !isDate(value)) fail("format");
    }
    if (typeof value === "number") {
      if (schema.minimum !== undefined && value < schema.minimum) fail("minimum");
      if (schema.maximum !== undefined && value > schema.maximum) fail("maximum");
    }
    if (Array.isArray(value) && schema.items) {
      value.forEach(function (item, i) { errors = errors.concat(check(root, schema.items, item, path.concat([i]), about)); });
    }
    if (typeOf(value) === "object") {
      var properties = schema.properties || {};
      (schema.required || []).forEach(function (key) { if (!(key in value)) fail("required", { missing: [key], path: path.concat([key]), description: (properties[key] || {}).description }); });
      Object.keys(value).forEach(function (key) {
        if (properties[key]) errors = errors.concat(check(root, properties[key], value[key], path.concat([key]), undefined));
        else if (schema.additionalProperties === false) fail("additionalProperties", { path: path.concat([key]) });
      });
      Object.keys(schema.dependentRequired || {}).forEach(function (key) {
        if (key in value) schema.dependentRequired[key].forEach(function (needed) {
          if (!(needed in value)) fail("dependentRequired", { missing: [needed], path: path.concat([key]) });
        });
      });
    }
    (schema.allOf || []).forEach(function (part) { errors = errors.concat(check(root, part, value, path, about)); });
    if (schema["if"] && check(root, schema["if"], value, path, about).length === 0 && schema.then) {
      errors = errors.concat(check(root, schema.then, value, path, about));
    }
    ["anyOf", "oneOf"].forEach(function (keyword) {
      if (!schema[keyword]) return;
      var results = schema[keyword].map(function (part) { return check(root, part, value, path, about); });
      var passing = results.filter(function (r) { return r.length === 0; }).length;
      if (keyword === "oneOf" && passing > 1) { fail("oneOf"); return; }
      if (passing > 0) return;
      var onlyRequired = results.every(function (r) { return r.length === 1 && r[0].keyword === "required" && r[0].path.length === path.length + 1; });
      if (onlyRequired) {
        var missing = results.map(function (r) { return r[0].missing[0]; });
        var first = (schema.properties || {})[missing[0]] || {};
        fail("oneOfRequired", { missing: missing, field: missing.join("|"), description: first.description });
        return;
      }
      // The branch meant for this kind of value: the one that is not a type mismatch, with the fewest problems.
      var fitting = results.filter(function (r) { return !(r.length === 1 && r[0].keyword === "type" && r[0].path === path); });
      var best = (fitting.length ? fitting : results).reduce(function (a, b) { return b.length < a.length ? b : a; });
      errors = errors.concat(best.map(function (e) { return Object.assign({}, e, { description: e.description || about }); }));
    });
    return errors;
  }

  // --- YAML: JSON strings are YAML double-quoted scalars, so every text is quoted that way ---

  function yamlValue(value, indent) {
    if (Array.isArray(value)) return "[" + value.map(function (v) { return yamlValue(v, indent); }).join(", ") + "]";
    if (typeOf(value) === "object") {
      return "\n" + Object.keys(value).map(function (k) { return indent + "  " + k + ": " + yamlValue(value[k], indent + "  "); }).join("\n");
    }
    return JSON.stringify(value);
  }

  function toYaml(data) {
    return Object.keys(data).map(function (k) { return k + ": " + yamlValue(data[k], ""); }).join("\n") + "\n";
  }

  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
  }

  // --- Reading each form into the file it proposes ---

  function text(form, name) {
    var field = form.elements[name];
    return field ? field.value.trim() : "";
  }

  function checked(form, name) {
    return Array.prototype.filter.call(form.querySelectorAll('input[name="' + name + '"]'), function (box) { return box.checked; })
      .map(function (box) { return box.value; });
  }

  function putText(data, form, name, key) {
    var value = text(form, name);
    if (value) data[key || name] = value;
  }

  var WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

  function recurrence(form, startDate) {
    var repeats = text(form, "repeats");
    if (repeats === "custom") return text(form, "rrule");
    if (!repeats || !isDate(startDate)) return "";
    var day = new Date(startDate + "T12:00:00Z");
    var weekday = WEEKDAYS[day.getUTCDay()];
    var rule = repeats === "weekly" ? "FREQ=WEEKLY;BYDAY=" + weekday : "FREQ=MONTHLY;BYDAY=" + Math.ceil(day.getUTCDate() / 7) + weekday;
    var count = text(form, "count");
    return /^[1-9][0-9]*$/.test(count) ? rule + ";COUNT=" + count : rule;
  }

  var builders = {
    group: function (form) {
      var data = {};
      putText(data, form, "name");
      putText(data, form, "website");
      var kind = text(form, "calendar_type") || "ical";
      var url = text(form, "calendar_url");
      if (kind === "ical") { if (url) data.ical = url; } else if (url) data.source = { type: kind, url: url };
      var categories = checked(form, "categories");
      if (categories.length) data.categories = categories;
      putText(data, form, "default_state");
      return { data: data, name: text(form, "slug") };
    },
    "single-event": function (form) {
      var data = {};
      putText(data, form, "title");
      var startDate = text(form, "start_date"), startTime = text(form, "start_time");
      var endDate = text(form, "end_date"), endTime = text(form, "end_time");
      if (startDate || startTime) data.start = startDate + (startTime ? " " + startTime : "");
      if (endTime) data.end = (endDate || startDate) + " " + endTime;
      else if (endDate) data.end = endDate;
      ["url", "location", "cost", "organizer", "organizer_url"].forEach(function (name) { putText(data, form, name); });
      var categories = checked(form, "categories");
      if (categories.length) data.categories = categories;
      putText(data, form, "description");
      var rule = recurrence(form, startDate);
      if (rule) data.rrule = rule;
      var title = slugify(text(form, "title"));
      return { data: data, name: (startDate ? startDate + "-" : "") + (title || "event") };
    },
    overlay: function (form) {
      var data = {};
      putText(data, form, "event");
      if (form.elements.hide.checked) data.hide = true;
      putText(data, form, "duplicate_of");
      putText(data, form, "title");
      var categories = checked(form, "categories");
      if (categories.length) data.categories = categories;
      putText(data, form, "location");
      putText(data, form, "location_type");
      putText(data, form, "reason");
      return { data: data, name: text(form, "event") };
    }
  };

  // --- Showing problems next to their fields ---

  var WORDS = {
    required: "This is required",
    dependentRequired: "This needs another field too",
    oneOfRequired: "This is required",
    oneOf: "Give only one of these",
    additionalProperties: "This field is not allowed"
  };

  function wrapperFor(form, error) {
    var keys = error.field ? [error.field] : [];
    if (error.path.length) keys.push(error.path.join("."), String(error.path[0]));
    for (var i = 0; i < keys.length; i++) {
      var wrappers = form.querySelectorAll("[data-field]");
      for (var j = 0; j < wrappers.length; j++) {
        if (wrappers[j].getAttribute("data-field").split(" ").indexOf(keys[i]) >= 0) return wrappers[j];
      }
    }
    return form.querySelector('[data-field~="file"]');
  }

  function message(error) {
    var said = WORDS[error.keyword] || "This is not valid";
    if (error.keyword === "dependentRequired") said = "This needs " + error.missing.join(", ") + " too";
    return error.description ? said + ": expected " + error.description + "." : said + ".";
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-field]").forEach(function (wrapper) {
      var out = wrapper.querySelector(".field-error");
      if (out) { out.textContent = ""; out.hidden = true; }
      wrapper.querySelectorAll("input, select, textarea").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    });
  }

  function showErrors(form, errors) {
    clearErrors(form);
    var first = null;
    errors.forEach(function (error) {
      var wrapper = wrapperFor(form, error);
      if (!wrapper) return;
      var out = wrapper.querySelector(".field-error");
      if (out.hidden) { out.textContent = wrapper.getAttribute("data-message") || message(error); out.hidden = false; }
      var input = wrapper.querySelector("input:not([type=checkbox]), select, textarea") || wrapper.querySelector("input");
      if (input) {
        input.setAttribute("aria-invalid", "true");
        if (!first) first = input;
      }
    });
    return first;
  }

  function fileNameErrors(form, kind, name) {
    if (kind === "group") {
      var pattern = new RegExp(form.getAttribute("data-slug-pattern"));
      var reserved = (form.getAttribute("data-reserved") || "").split(" ");
      if (!name) return [{ path: [], field: "slug", keyword: "required", description: "lowercase letters, digits, '-' and '_', like dc-python" }];
      if (!pattern.test(name) || reserved.indexOf(name) >= 0) {
        return [{ path: [], field: "slug", keyword: "pattern", description: "lowercase letters, digits, '-' and '_', like dc-python, and not " + reserved.join(", ") }];
      }
    }
    return [];
  }

  function newFileUrl(form, fileName, body) {
    var branch = encodeURIComponent(form.getAttribute("data-branch"));
    return "https://github.com/" + form.getAttribute("data-repository") + "/new/" + branch +
      "?filename=" + encodeURIComponent(fileName).replace(/%2F/g, "/") + "&value=" + encodeURIComponent(body);
  }

  function setUp(form, schema) {
    var kind = form.getAttribute("data-kind");
    var preview = document.getElementById("form-preview");
    var fileLabel = document.getElementById("form-file");
    var link = document.getElementById("form-link");
    var summary = document.getElementById("form-summary");

    function current() {
      var built = builders[kind](form);
      var fileName = form.getAttribute("data-folder") + "/" + (built.name || "your-file") + ".yaml";
      var body = form.getAttribute("data-header") + "\n" + toYaml(built.data);
      return { built: built, fileName: fileName, body: body };
    }

    function refresh() {
      var now = current();
      preview.textContent = now.body;
      fileLabel.textContent = now.fileName;
      return now;
    }

    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    var slug = form.elements.slug;
    if (slug && form.elements.name) {
      form.elements.name.addEventListener("input", function () {
        if (!slug.dataset.edited) { slug.value = slugify(form.elements.name.value); refresh(); }
      });
      slug.addEventListener("input", function () { slug.dataset.edited = "yes"; });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var now = refresh();
      var errors = fileNameErrors(form, kind, now.built.name).concat(check(schema, schema, now.built.data, [], undefined));
      var first = showErrors(form, errors);
      if (errors.length) {
        summary.textContent = errors.length === 1 ? "One field needs a change." : errors.length + " fields need a change.";
        summary.hidden = false;
        link.hidden = true;
        if (first) first.focus();
        return;
      }
      summary.hidden = true;
      var url = newFileUrl(form, now.fileName, now.body);
      link.href = url;
      link.hidden = false;
      window.location.assign(url);
    });
    var wanted = new URLSearchParams(window.location.search).get("event");
    if (wanted && form.elements.event) form.elements.event.value = wanted;
    refresh();
    form.hidden = false;
    document.querySelectorAll(".with-script").forEach(function (node) { node.hidden = false; });
  }

  // For the tests, which hold this checker and writer to the Python ones.
  window.eventsForms = { check: function (schema, value) { return check(schema, schema, value, [], undefined); }, toYaml: toYaml };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-schema]");
    if (!form) return;
    fetch(form.getAttribute("data-schema"))
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (schema) { setUp(form, schema); })
      .catch(function () { /* the page still shows the file to copy by hand */ });
  });
})();
