// The door's check-in page: a USB scanner (a keyboard) or typing fills the field and
// presses Enter; where the browser has BarcodeDetector, the camera reads QR codes too.
// Without JavaScript the form posts and the page answers on reload.
(function () {
  "use strict";
  const script = document.currentScript;
  const form = document.getElementById("check-in-form");
  const input = form.querySelector("input[name=token]");
  const result = document.getElementById("check-in-result");
  const count = document.getElementById("attended-count");
  let busy = false;
  let lastCode = "";
  let lastAt = 0;

  function show(ok, headline, text) {
    const p = document.createElement("p");
    p.className = "check-in-result" + (ok ? "" : " is-error");
    const strong = document.createElement("strong");
    strong.textContent = (ok ? "✓ " : "⚠ ") + headline;
    p.append(strong, document.createElement("br"), text);
    result.replaceChildren(p);
  }

  async function send(token) {
    if (busy || !token) return;
    busy = true;
    try {
      const response = await fetch(form.action || window.location.href, {
        method: "POST",
        headers: { Accept: "application/json" },
        body: new FormData(form),
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (answer.ok) {
        show(true, answer.name, answer.message + (answer.status ? " · " + answer.status : ""));
        if (count) {
          const number = parseInt(count.textContent, 10);
          if (!Number.isNaN(number)) count.textContent = count.textContent.replace(/\d+/, String(number + 1));
        }
      } else {
        show(false, script.dataset.notCheckedIn, answer.message);
      }
    } catch (error) {
      show(false, script.dataset.notCheckedIn, script.dataset.networkError);
    } finally {
      busy = false;
      input.value = "";
      input.focus();
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value.trim());
  });
  input.focus();

  const camera = document.getElementById("camera");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
    document.getElementById("camera-unsupported").hidden = false;
    return;
  }
  camera.hidden = false;
  const video = document.getElementById("camera-video");
  const start = document.getElementById("camera-start");
  const stop = document.getElementById("camera-stop");
  let stream = null;
  let detector = null;

  async function scan() {
    if (!stream) return;
    try {
      const codes = await detector.detect(video);
      const now = Date.now();
      for (const code of codes) {
        // The same code held in front of the camera is sent once every few seconds at most.
        if (code.rawValue && (code.rawValue !== lastCode || now - lastAt > 4000)) {
          lastCode = code.rawValue;
          lastAt = now;
          input.value = code.rawValue;
          await send(code.rawValue);
          break;
        }
      }
    } catch (error) {
      // A frame that cannot be read yet; try the next one.
    }
    window.setTimeout(scan, 300);
  }

  start.addEventListener("click", async function () {
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      document.getElementById("camera-unsupported").hidden = false;
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    start.hidden = true;
    stop.hidden = false;
    scan();
  });

  stop.addEventListener("click", function () {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    start.hidden = false;
    stop.hidden = true;
    input.focus();
  });
})();
