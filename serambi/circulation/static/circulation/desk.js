/* The circulation desk without page loads: each scan posts its form with fetch()
   and the answer (an HTML fragment) goes to the top of the result log.

   Why not htmx here: a barcode scanner types the next barcode while the last
   one is still on its way. This script reads the form at once, clears the
   input for the next scan and sends the scans one after another, in order.
   Without JavaScript the same forms post and redirect back to the page. */
(function () {
  "use strict";
  var log = document.getElementById("desk-log");
  if (!log || !window.fetch || !window.FormData) {
    return;
  }
  var limit = parseInt(log.dataset.limit || "12", 10);
  var queue = Promise.resolve();

  function scanInput() {
    return document.querySelector("[data-scan-input]");
  }

  function addFailure(barcode) {
    var item = document.createElement("li");
    item.className = "desk-entry desk-entry-error";
    var text = document.createElement("p");
    text.className = "desk-headline";
    text.textContent = "✕ " + log.dataset.failed + (barcode ? " (" + barcode + ")" : "");
    item.appendChild(text);
    log.insertBefore(item, log.firstChild);
  }

  function swapIn(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    // Parts marked data-swap-oob replace the element with the same id (the loans list).
    template.content.querySelectorAll("[data-swap-oob]").forEach(function (fresh) {
      var old = document.getElementById(fresh.id);
      fresh.removeAttribute("data-swap-oob");
      if (old) {
        old.replaceWith(fresh);
      } else {
        fresh.remove();
      }
    });
    log.insertBefore(template.content, log.firstChild);
    while (log.children.length > limit) {
      log.removeChild(log.lastElementChild);
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-desk-async]")) {
      return;
    }
    var input = form.querySelector("[data-scan-input]");
    if (input && !input.value.trim()) {
      event.preventDefault();
      input.focus();
      return;
    }
    event.preventDefault();
    var data = new FormData(form);
    var barcode = (data.get("barcode") || "").toString();
    if (input) {
      input.value = ""; // ready for the next scan at once
    } else {
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    }
    queue = queue.then(function () {
      return fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "HX-Request": "true" }
      }).then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      }).then(function (html) {
        swapIn(html);
        if (!input && form.classList.contains("override-form")) {
          form.remove(); // answered: the new line above says how
        }
      }).catch(function () {
        addFailure(barcode);
        form.querySelectorAll("button").forEach(function (button) { button.disabled = false; });
      });
    });
    var next = scanInput();
    if (next && !input) {
      next.focus();
    }
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
