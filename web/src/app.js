// Small enhancements shared by every page. Every page works without this script.

const MAX_ATTACKERS = 8;

function initScenarioForm() {
  const fieldset = document.getElementById('attackers');
  const add = document.getElementById('add-attacker');
  if (!fieldset || !add) return;
  add.hidden = false;
  add.addEventListener('click', () => {
    const inputs = fieldset.querySelectorAll('input[name="attacker"]');
    if (inputs.length >= MAX_ATTACKERS) return;
    const next = inputs[inputs.length - 1].cloneNode();
    next.value = '';
    next.required = false;
    fieldset.insertBefore(next, add);
    next.focus();
    add.hidden = inputs.length + 1 >= MAX_ATTACKERS;
  });
}

function initExpandAll() {
  // "Expand all" / "collapse all" for the verdict traces.
  const verdicts = document.getElementById('verdicts');
  if (!verdicts) return;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'expand-all';
  button.textContent = 'Expand all traces';
  button.addEventListener('click', () => {
    const all = verdicts.querySelectorAll('details');
    const open = ![...all].every((d) => d.open);
    all.forEach((d) => { d.open = open; });
    button.textContent = open ? 'Collapse all traces' : 'Expand all traces';
  });
  verdicts.prepend(button);
}

function initYearSlider() {
  // The network page's year slider: show the year while dragging, open it when released.
  const slider = document.getElementById('network-year');
  const out = document.getElementById('network-year-out');
  if (!slider || !out) return;
  slider.addEventListener('input', () => { out.textContent = slider.value; });
  slider.addEventListener('change', () => { slider.form.requestSubmit(); });
}

initScenarioForm();
initExpandAll();
initYearSlider();
