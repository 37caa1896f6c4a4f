// Search suggestions (ARIA 1.2 combobox + listbox); facets open on wide screens.
// The pages work without this file.
(() => {
  for (const box of document.querySelectorAll("input[data-suggest]")) {
    const list = document.getElementById(box.getAttribute("aria-controls"));
    let options = [], active = -1, timer, request;
    const highlight = (n) => {
      active = n;
      options.forEach((o, i) => o.setAttribute("aria-selected", i === n));
      if (n < 0) return box.removeAttribute("aria-activedescendant");
      box.setAttribute("aria-activedescendant", options[n].id);
      options[n].scrollIntoView({ block: "nearest" });
    };
    const show = (open) => {
      list.hidden = !open;
      box.setAttribute("aria-expanded", open);
      if (!open) highlight(-1);
    };
    const option = (s, i) => {
      const li = document.createElement("li"), kind = document.createElement("span");
      li.id = `${list.id}-${i}`;
      li.setAttribute("role", "option");
      li.dataset.url = s.url;
      kind.className = "kind";
      kind.textContent = list.dataset[s.kind] || s.kind;
      li.append(kind, ` ${s.text}`);
      return li;
    };
    const suggest = async () => {
      const q = box.value.trim();
      request?.abort();
      if (q.length < 2) return show(false);
      request = new AbortController();
      try {
        const url = `${box.dataset.suggest}?q=${encodeURIComponent(q)}`;
        const data = await (await fetch(url, { signal: request.signal })).json();
        options = data.suggestions.map(option);
        list.replaceChildren(...options);
        show(options.length > 0 && document.activeElement === box);
      } catch {
        // Aborted by a newer keystroke, or offline: plain search works.
      }
    };
    box.setAttribute("role", "combobox");
    show(false);
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });
    box.addEventListener("keydown", (e) => {
      const n = options.length, open = !list.hidden;
      if ((e.key === "ArrowDown" || e.key === "ArrowUp") && n) {
        if (!open) show(true);
        highlight(e.key === "ArrowDown" ? (active + 1) % n : (active < 1 ? n : active) - 1);
      } else if (e.key === "Enter" && open && active >= 0) {
        location.assign(options[active].dataset.url);
      } else if (e.key === "Escape" && open) {
        show(false);
      } else return;
      e.preventDefault();
    });
    box.addEventListener("blur", () => {
      clearTimeout(timer);
      request?.abort();
      show(false);
    });
    // Keep focus in the field while a suggestion is pressed.
    list.addEventListener("mousedown", (e) => e.preventDefault());
    list.addEventListener("click", (e) => {
      const li = e.target.closest("[role=option]");
      if (li) location.assign(li.dataset.url);
    });
  }
  const facets = document.getElementById("facets");
  if (facets && matchMedia("(min-width: 60em)").matches) facets.open = true;
})();
