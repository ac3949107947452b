// The world map: countries as states on a date; click one to colour its allies by obligation kind.
// The server does the thinking: /api/map maps each country to its COW code on the date,
// /api/allies lists the allies, and /map/panel renders the side panel. This file only draws.
import { geoGraticule10, geoNaturalEarth1, geoPath } from 'd3-geo';
import { select } from 'd3-selection';
import { zoom } from 'd3-zoom';
import { feature } from 'topojson-client';

const KINDS = ['defense', 'offense', 'neutrality', 'non_aggression', 'consultation'];
const ALLY_CLASSES = [...KINDS, 'other'].map((k) => `ally-${k}`);

const figure = document.getElementById('map');
const panel = document.getElementById('panel');
const dateInput = document.getElementById('date');
const yearInput = document.getElementById('year');
const yearOut = document.getElementById('year-out');
const stateInput = document.getElementById('state');

const view = { date: figure.dataset.date, ccode: figure.dataset.state || null, map: null };
let countries; // d3 selection of the country paths
let generation = 0; // discards answers to superseded requests

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function keyOf(d) {
  return d.id ?? d.properties.name;
}

function strongest(kinds) {
  return KINDS.find((k) => kinds.has(k)) ?? 'other';
}

function shareableUrl() {
  const params = new URLSearchParams({ date: view.date });
  if (view.ccode) params.set('state', view.ccode);
  return `/map?${params}`;
}

function showError(message) {
  panel.replaceChildren();
  const p = document.createElement('p');
  p.className = 'error';
  p.setAttribute('role', 'alert');
  p.textContent = message;
  panel.append(p);
}

function applyMap(map) {
  view.map = map;
  countries
    .classed('outside', (d) => !map.features[keyOf(d)]?.member)
    .attr('data-ccode', (d) => map.features[keyOf(d)]?.ccode ?? '')
    .attr('data-iso3', (d) => map.features[keyOf(d)]?.iso3 ?? '')
    .attr('aria-label', (d) => map.features[keyOf(d)]?.name ?? d.properties.name)
    .select('title')
    .text((d) => {
      const info = map.features[keyOf(d)];
      if (!info) return d.properties.name;
      return info.member ? info.name : `${info.name} (not a state on ${map.date})`;
    });
}

function applyAllies(ccode, allies) {
  const kindsByAlly = new Map();
  for (const tie of allies) {
    if (!kindsByAlly.has(tie.ccode)) kindsByAlly.set(tie.ccode, new Set());
    for (const k of tie.provisions ?? []) kindsByAlly.get(tie.ccode).add(k);
  }
  countries
    .classed('selected', (d) => view.map.features[keyOf(d)]?.ccode === ccode)
    .each(function colour(d) {
      const code = view.map.features[keyOf(d)]?.ccode;
      this.classList.remove(...ALLY_CLASSES);
      if (code !== ccode && kindsByAlly.has(code)) this.classList.add(`ally-${strongest(kindsByAlly.get(code))}`);
    });
}

async function loadState() {
  const ticket = ++generation;
  figure.dataset.loaded = '';
  if (!view.ccode) {
    countries.classed('selected', false).each(function clear() { this.classList.remove(...ALLY_CLASSES); });
    figure.dataset.loaded = view.date;
    return;
  }
  const query = new URLSearchParams({ state: view.ccode, date: view.date });
  try {
    const [allies, fragment] = await Promise.all([
      getJSON(`/api/allies?${query}`),
      fetch(`/map/panel?${query}`).then((r) => r.text()),
    ]);
    if (ticket !== generation) return;
    applyAllies(Number(view.ccode), allies);
    panel.innerHTML = fragment; // server-rendered by Jinja (escaped), same origin
    figure.dataset.loaded = `${view.ccode}@${view.date}`;
  } catch (err) {
    if (ticket === generation) showError(err.message);
  }
}

async function setDate(date) {
  if (date === view.date) return;
  view.date = date;
  history.replaceState(null, '', shareableUrl());
  try {
    const map = await getJSON(`/api/map?date=${encodeURIComponent(date)}`);
    if (map.date !== view.date) return;
    applyMap(map);
    await loadState();
  } catch (err) {
    showError(err.message);
  }
}

function choose(d) {
  const info = view.map.features[keyOf(d)];
  if (!info || info.ccode == null) {
    showError(`${d.properties.name} has no state code in the COW system.`);
    return;
  }
  view.ccode = String(info.ccode);
  if (stateInput) stateInput.value = info.iso3 ?? info.name;
  history.pushState(null, '', shareableUrl());
  loadState();
}

function withYear(date, year) {
  const [, month, day] = date.split('-');
  const leapless = month === '02' && day === '29' && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  let candidate = `${String(year).padStart(4, '0')}-${month}-${leapless ? '28' : day}`;
  if (dateInput.max && candidate > dateInput.max) candidate = dateInput.max;
  return candidate;
}

function initControls() {
  yearInput.addEventListener('input', () => {
    yearOut.value = yearInput.value;
    dateInput.value = withYear(dateInput.value || view.date, Number(yearInput.value));
  });
  yearInput.addEventListener('change', () => setDate(dateInput.value));
  dateInput.addEventListener('change', () => {
    if (!dateInput.checkValidity()) return;
    yearInput.value = dateInput.value.slice(0, 4);
    yearOut.value = yearInput.value;
    setDate(dateInput.value);
  });
  window.addEventListener('popstate', () => window.location.reload());
}

async function init() {
  const [topology, map] = await Promise.all([
    getJSON(figure.dataset.topology),
    getJSON(`/api/map?date=${encodeURIComponent(view.date)}`),
  ]);
  const shapes = feature(topology, topology.objects.countries).features;
  const width = 960;
  const height = 500;
  const projection = geoNaturalEarth1().fitExtent([[4, 4], [width - 4, height - 4]], { type: 'Sphere' });
  const path = geoPath(projection);
  const svg = select(figure)
    .insert('svg', ':first-child')
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('role', 'group')
    .attr('aria-label', 'World map: click a country to see its allies');
  const layer = svg.append('g');
  layer.append('path').datum({ type: 'Sphere' }).attr('class', 'sphere').attr('d', path);
  layer.append('path').datum(geoGraticule10()).attr('class', 'graticule').attr('d', path);
  countries = layer
    .selectAll('path.country')
    .data(shapes)
    .join('path')
    .attr('class', 'country')
    .attr('d', path)
    .attr('tabindex', 0)
    .attr('data-key', keyOf)
    .on('click', (event, d) => choose(d))
    .on('keydown', (event, d) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        choose(d);
      }
    });
  countries.append('title');
  svg.call(
    zoom()
      .scaleExtent([1, 12])
      .translateExtent([[0, 0], [width, height]])
      .on('zoom', (event) => layer.attr('transform', event.transform)),
  );
  applyMap(map);
  figure.dataset.ready = '1';
  initControls();
  await loadState();
}

init().catch((err) => showError(`The map could not load: ${err.message}`));
