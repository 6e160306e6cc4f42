// つながる: address fields that name the 担当地域包括支援センター as you type,
// and postal codes that fill in the town. Progressive enhancement: every form
// works without this script.
//
// <input data-route-output="ID">  shows the route of the typed address in #ID
// <input data-postal-for="ID">    fills #ID with 盛岡市 + the town of a postal code
(function () {
  "use strict";

  function getJson(url, done) {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status === 200) {
        try { done(JSON.parse(request.responseText)); } catch (e) { /* not JSON: ignore */ }
      }
    };
    request.send();
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function routeAddress(input) {
    var output = document.getElementById(input.getAttribute("data-route-output"));
    if (!output) { return; }
    var last = null;
    var update = function () {
      var value = input.value;
      if (value === last) { return; }
      last = value;
      if (value.replace(/\s/g, "") === "") { output.textContent = ""; return; }
      getJson("/address/route.json?q=" + encodeURIComponent(value), function (route) {
        if (input.value !== value) { return; } // typed on meanwhile
        output.textContent = route.message;
        output.setAttribute("data-status", route.status);
      });
    };
    input.addEventListener("input", debounce(update, 200));
    input.addEventListener("change", update);
    input.routeNow = update;
  }

  function fillFromPostalCode(input) {
    var target = document.getElementById(input.getAttribute("data-postal-for"));
    if (!target) { return; }
    var update = function () {
      var digits = input.value.replace(/[０-９]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
      }).replace(/[^0-9]/g, "");
      if (digits.length !== 7) { return; }
      getJson("/address/postal.json?postal_code=" + digits, function (answer) {
        if (answer.towns.length !== 1) { return; }
        var town = answer.city + answer.towns[0].town;
        // Fill only an empty field, or one that still holds what we filled:
        // never overwrite what someone typed.
        if (target.value === "" || target.value === target.getAttribute("data-filled")) {
          target.value = town;
          target.setAttribute("data-filled", town);
          if (target.routeNow) { target.routeNow(); }
          target.focus();
          target.setSelectionRange(town.length, town.length);
        }
      });
    };
    input.addEventListener("input", update);
    input.addEventListener("change", update);
  }

  var i;
  var routed = document.querySelectorAll("[data-route-output]");
  for (i = 0; i < routed.length; i++) { routeAddress(routed[i]); }
  var postal = document.querySelectorAll("[data-postal-for]");
  for (i = 0; i < postal.length; i++) { fillFromPostalCode(postal[i]); }
}());
