/* The portal's one script. The pages work without it; with it: "near me", results that follow
   the filters, a map on request, an upazila list that follows the district, offline use, and an
   iframe that tells its host how tall it is. */
(function () {
  "use strict";
  var body = document.body;
  var data = body.dataset;
  var form = document.querySelector("form[data-live]");

  function $(selector, root) { return (root || document).querySelector(selector); }

  function show(element) { if (element) { element.hidden = false; } }

  /* results that follow the filters ------------------------------------------------------- */

  function searchUrl(extra) {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (key) {
      if (params.get(key) === "") { params.delete(key); }
    });
    Object.keys(extra || {}).forEach(function (key) { params.set(key, extra[key]); });
    return data.base + "?" + params.toString();
  }

  var pending = null;
  function refresh() {
    if (!form) { return; }
    var url = searchUrl();
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url + "&fragment=results", { signal: pending.signal, headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = $("#results", holder);
        var current = $("#results");
        if (fresh && current) {
          current.replaceWith(fresh);
          enhanceResults();
          history.replaceState(null, "", url);
          resized();
        }
      })
      .catch(function () { /* offline or aborted: the form still submits */ });
  }

  var typing = null;
  function enhanceForm() {
    if (!form) { return; }
    form.addEventListener("change", function (event) {
      var name = event.target.name;
      if (name === "division") {
        fillDistricts(event.target.value).then(function () { fillUpazilas(""); refresh(); });
        return;
      }
      if (name === "district") { fillUpazilas(event.target.value); }
      refresh();
    });
    form.addEventListener("input", function (event) {
      if (event.target.type !== "search" && event.target.type !== "text") { return; }
      clearTimeout(typing);
      typing = setTimeout(refresh, 600);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(typing);
      refresh();
      var results = $("#results");
      if (results) { results.focus(); }
    });
    enhanceNearMe();
  }

  /* near me -------------------------------------------------------------------------------- */

  function setPoint(lat, lng) {
    ["lat", "lng"].forEach(function (name, index) {
      var input = form.querySelector("input[name=" + name + "]");
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        form.appendChild(input);
      }
      input.value = String([lat, lng][index].toFixed(5));
    });
    var near = $("#near");
    if (near) { near.value = ""; }
  }

  function enhanceNearMe() {
    var button = $("[data-near-me]");
    var status = $("[data-near-me-status]");
    if (!button || !("geolocation" in navigator)) { return; }
    show(button);
    button.addEventListener("click", function () {
      status.textContent = data.msgBusy;
      show(status);
      navigator.geolocation.getCurrentPosition(function (position) {
        status.hidden = true;
        setPoint(position.coords.latitude, position.coords.longitude);
        /* a new point changes the form (a radius appears): load the whole page */
        window.location.assign(searchUrl());
      }, function () {
        status.textContent = data.msgRefused;
        var district = $("#district");
        if (district) { district.focus(); }
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
  }

  /* the place picker: division, then district, then upazila -------------------------------- */

  var places = null;
  function loadPlaces() {
    if (!places) {
      places = fetch("/find/places.json?lang=" + data.lang).then(function (r) { return r.json(); });
    }
    return places;
  }

  function option(value, label, selected) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = label;
    element.selected = Boolean(selected);
    return element;
  }

  function fillDistricts(division) {
    var select = $("#district");
    if (!select) { return Promise.resolve(); }
    return loadPlaces().then(function (all) {
      select.replaceChildren(option("", data.msgAnyDistrict, true));
      all.divisions.forEach(function (row) {
        if (division && row[0] !== division) { return; }
        var group = document.createElement("optgroup");
        group.label = row[1];
        all.districts.forEach(function (district) {
          if (district[2] === row[0]) { group.appendChild(option(district[0], district[1])); }
        });
        select.appendChild(group);
      });
    }).catch(function () { /* the list stays as the server sent it */ });
  }

  function fillUpazilas(district) {
    var field = $("#upazila-field");
    var select = $("#upazila");
    if (!field || !select) { return; }
    select.replaceChildren(option("", data.msgAnyUpazila, true));
    if (!district) { field.hidden = true; return; }
    loadPlaces().then(function (all) {
      all.upazilas.forEach(function (row) {
        if (row[2] === district) { select.appendChild(option(row[0], row[1])); }
      });
      field.hidden = select.options.length < 2;
    }).catch(function () { field.hidden = true; });
  }

  /* the map, loaded only when asked for ---------------------------------------------------- */

  var leaflet = null;
  function loadLeaflet() {
    if (!leaflet) {
      leaflet = new Promise(function (resolve, reject) {
        var css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = data.leafletCss;
        document.head.appendChild(css);
        var script = document.createElement("script");
        script.src = data.leafletJs;
        script.onload = function () { resolve(window.L); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return leaflet;
  }

  function drawMap(container) {
    return loadLeaflet().then(function (L) {
      var map = L.map(container, { scrollWheelZoom: false });
      L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 19,
        attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
      }).addTo(map);
      var bounds = [];
      document.querySelectorAll("[data-lat]").forEach(function (place) {
        var point = [parseFloat(place.dataset.lat), parseFloat(place.dataset.lng)];
        bounds.push(point);
        L.marker(point, { title: place.dataset.name, alt: place.dataset.name }).addTo(map)
          .bindPopup(document.createTextNode(place.dataset.name));
      });
      if (bounds.length === 1) { map.setView(bounds[0], 15); }
      else if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24] }); }
      else { map.setView([23.7, 90.35], 7); }
      return map;
    });
  }

  function enhanceResults() {
    var button = $("[data-show-map]");
    var container = $("#map");
    if (!button || !container || data.saveData === "on") { return; }
    show(button);
    var map = null;
    button.addEventListener("click", function () {
      var opening = container.hidden;
      container.hidden = !opening;
      button.setAttribute("aria-expanded", String(opening));
      button.textContent = opening ? data.msgHideMap : data.msgShowMap;
      if (opening && !map) {
        map = drawMap(container);
      } else if (opening) {
        map.then(function (m) { m.invalidateSize(); });
      }
      resized();
    });
  }

  /* embedded: keep the host's iframe as tall as the page ----------------------------------- */

  function resized() {
    if (window.parent === window) { return; }
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ type: "referral-directory:height", height: height }, "*");
  }

  function enhanceEmbedding() {
    if (window.parent === window) { return; }
    if ("ResizeObserver" in window) { new ResizeObserver(resized).observe(document.documentElement); }
    window.addEventListener("load", resized);
    resized();
  }

  /* offline ------------------------------------------------------------------------------- */

  function enhanceOffline() {
    if (!data.sw || !("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(data.sw, { scope: "/find" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var worker = registration.active;
      /* this page and its files were fetched before the worker ran: it keeps them now */
      var files = [location.href];
      document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (el) {
        files.push(el.href || el.src);
      });
      if (worker) {
        worker.postMessage({ type: "keep", district: data.district, lang: data.lang, urls: files });
      }
    }).catch(function () { /* no offline copy, the pages still work */ });
  }

  enhanceForm();
  enhanceResults();
  enhanceEmbedding();
  enhanceOffline();
}());
