/* The directory's widget for a portal. Paste where the search should appear:
     <script src="https://DIRECTORY/embed.js" data-lang="bn" data-district="Jashore"
             data-category="legal_aid" async></script>
   It puts an iframe of /embed (with those filters) after itself and keeps its height in step
   with the page inside, which reports its height by postMessage. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var origin = new URL(script.src).origin;
  var options = script.dataset;
  var lang = options.lang === "en" ? "en" : "bn";
  var params = new URLSearchParams({ lang: lang });
  ["district", "upazila", "category", "search", "free_of_cost"].forEach(function (name) {
    if (options[name]) { params.set(name, options[name]); }
  });
  var frame = document.createElement("iframe");
  frame.src = origin + "/embed?" + params.toString();
  frame.title = options.title || (lang === "en" ? "Service directory" : "সেবা নির্দেশিকা");
  frame.loading = "lazy";
  frame.setAttribute("allow", "geolocation");
  frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.height = (parseInt(options.height, 10) || 600) + "px";
  script.parentNode.insertBefore(frame, script.nextSibling);
  var most = parseInt(options.maxHeight, 10) || 20000;
  window.addEventListener("message", function (event) {
    var message = event.data;
    if (event.origin !== origin || event.source !== frame.contentWindow || !message ||
        message.type !== "referral-directory:height") { return; }
    var height = Math.max(200, Math.min(most, Math.ceil(Number(message.height) || 0)));
    frame.style.height = height + "px";
  });
}());
