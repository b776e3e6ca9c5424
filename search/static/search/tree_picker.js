// The hierarchy picker: a list of checkboxes, one per group, named by its path. Without
// this script it is just that list. With it, typing filters the list, and the arrow keys
// move through the groups (one tab stop for the whole list), Space or Enter ticks one.

const initPicker = (picker) => {
  const filterBox = picker.querySelector(".tree-filter");
  const filter = filterBox.querySelector("input");
  const list = picker.querySelector(".tree-options");
  const status = picker.querySelector(".tree-status");
  const items = Array.from(list.querySelectorAll("li"));
  const boxes = items.map((item) => item.querySelector("input"));
  const texts = items.map((item) => item.textContent.toLocaleLowerCase());
  const strings = { shown: picker.dataset.labelShown, chosen: picker.dataset.labelChosen };

  filterBox.hidden = false;
  const visible = () => boxes.filter((box, i) => !items[i].hidden);

  const setCurrent = (box, focus) => {
    boxes.forEach((other) => {
      other.tabIndex = other === box ? 0 : -1;
      other.closest("li").classList.toggle("current", other === box);
    });
    if (box && focus) {
      box.focus();
      box.closest("li").scrollIntoView({ block: "nearest" });
    }
  };

  const describe = () => {
    const chosen = boxes.filter((box) => box.checked).length;
    const shown = visible().length;
    const parts = [];
    if (filter.value.trim()) parts.push((strings.shown || "{n} shown").replace("{n}", shown));
    if (chosen) parts.push((strings.chosen || "{n} chosen").replace("{n}", chosen));
    status.textContent = parts.join(" · ");
  };

  const applyFilter = () => {
    const words = filter.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    items.forEach((item, i) => {
      item.hidden = !words.every((word) => texts[i].includes(word));
    });
    const current = boxes.find((box) => box.tabIndex === 0);
    if (!current || current.closest("li").hidden) setCurrent(visible()[0] || null, false);
    describe();
  };

  const move = (from, step) => {
    const shown = visible();
    if (!shown.length) return;
    const at = shown.indexOf(from);
    const next = step === Infinity ? shown.length - 1 : step === -Infinity ? 0 : at + step;
    setCurrent(shown[Math.max(0, Math.min(shown.length - 1, next))], true);
  };

  filter.addEventListener("input", applyFilter);
  filter.addEventListener("keydown", (event) => {
    const shown = visible();
    if (event.key === "ArrowDown" && shown.length) {
      event.preventDefault();
      setCurrent(shown[0], true);
    } else if (event.key === "Enter" && filter.value.trim()) {
      // Like a combo box: Enter takes the first match rather than submitting the search.
      event.preventDefault();
      if (shown.length) {
        shown[0].checked = !shown[0].checked;
        setCurrent(shown[0], false);
        describe();
      }
    } else if (event.key === "Escape" && filter.value) {
      event.preventDefault();
      filter.value = "";
      applyFilter();
    }
  });

  list.addEventListener("keydown", (event) => {
    const box = event.target;
    if (!boxes.includes(box)) return;
    const steps = { ArrowDown: 1, ArrowUp: -1, PageDown: 8, PageUp: -8, Home: -Infinity, End: Infinity };
    if (event.key in steps) {
      event.preventDefault();
      if (event.key === "ArrowUp" && visible()[0] === box) filter.focus();
      else move(box, steps[event.key]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      box.checked = !box.checked;
      describe();
    } else if (event.key === "Escape") {
      event.preventDefault();
      filter.focus();
    }
  });
  list.addEventListener("change", describe);
  list.addEventListener("focusin", (event) => {
    if (boxes.includes(event.target)) setCurrent(event.target, false);
  });

  setCurrent(boxes.find((box) => box.checked) || boxes[0] || null, false);
  describe();
};

document.querySelectorAll("[data-tree-picker]").forEach(initPicker);
