/* The portal's service worker: the pages as last seen, and the district's whole directory, for
   use without a connection. Pages come from the network first; the copy answers only offline,
   with a banner saying how old it is. Map tiles are never cached (OpenStreetMap's tile policy). */
"use strict";

var VERSION = "portal-v1";
var PAGES = VERSION + "-pages";
var SHELL = VERSION + "-shell";
var DIRECTORY_KEY = "/find/offline-directory";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf(VERSION) !== 0; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function offline(response) {
  /* the copy, with its banner shown: the page says when its data was read */
  return response.text().then(function (html) {
    var shown = html.replace('<div id="offline-banner" class="offline" role="status" hidden>',
                             '<div id="offline-banner" class="offline" role="status">');
    return new Response(shown, {
      status: 200,
      headers: { "Content-Type": "text/html; charset=utf-8", "X-Served-From": "offline-copy" }
    });
  });
}

function isPage(url) {
  return url.origin === self.location.origin &&
    (url.pathname === "/find" || url.pathname.indexOf("/find/services/") === 0 ||
     url.pathname === "/find/directory");
}

function isShell(url) {
  return url.origin === self.location.origin &&
    (url.pathname.indexOf("/static/portal/") === 0 || url.pathname === "/find/places.json") &&
    url.pathname.indexOf("/static/portal/vendor/leaflet/") !== 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(request, { ignoreVary: true }).then(function (hit) {
          return hit || cache.match(DIRECTORY_KEY + "?lang=" + (url.searchParams.get("lang") || "bn"));
        }).then(function (hit) {
          return hit ? offline(hit) : Response.error();
        });
      });
    }));
  } else if (isShell(url)) {
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(request).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) { cache.put(request, response.clone()); }
          return response;
        });
        return hit || fresh;
      });
    }));
  }
  /* everything else, map tiles included, goes to the network untouched */
});

function keep(url) {
  var parsed = new URL(url, self.location.origin);
  if (parsed.origin !== self.location.origin) { return Promise.resolve(); }
  var store = isPage(parsed) ? PAGES : isShell(parsed) ? SHELL : null;
  if (!store) { return Promise.resolve(); }
  return fetch(parsed.href).then(function (response) {
    if (response.ok) { return caches.open(store).then(function (cache) { return cache.put(parsed.href, response); }); }
  });
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type !== "keep") { return; }
  var lang = message.lang === "en" ? "en" : "bn";
  var work = (message.urls || []).map(function (url) { return keep(url).catch(function () {}); });
  if (message.district) {
    var source = "/find/directory?district=" + encodeURIComponent(message.district) + "&lang=" + lang;
    work.push(fetch(source).then(function (response) {
      if (!response.ok) { return; }
      return caches.open(PAGES).then(function (cache) {
        return cache.put(DIRECTORY_KEY + "?lang=" + lang, response);
      });
    }).catch(function () { /* try again on the next visit */ }));
  }
  event.waitUntil(Promise.all(work));
});
