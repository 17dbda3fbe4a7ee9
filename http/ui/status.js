// The cluster as this replica sees it (/v1/status, every 2 s): members and which it reaches,
// the quorum, its change index, the configuration version, a change in progress.
import {call, describeFailure} from './api.js';
import {el} from './dom.js';

const PERIOD_MS = 2000;

function memberTable(members) {
  return el('table', {class: 'members'},
    el('thead', {}, el('tr', {}, el('th', {}, 'id'), el('th', {}, 'peer address'), el('th', {}, 'reachable'))),
    el('tbody', {}, members.map((member) => el('tr', {},
      el('td', {class: 'num'}, `${member.id}${member.self ? ' (this replica)' : ''}`),
      el('td', {class: 'key'}, member.peer_address),
      el('td', {}, el('span', {class: `pill ${member.reachable ? 'up' : 'down'}`},
        member.reachable ? 'reachable' : 'unreachable'))))));
}

export function renderStatus(main) {
  const controller = new AbortController();
  const body = el('div', {id: 'status'});
  const stamp = el('p', {class: 'muted'});
  let timer = 0;

  async function poll() {
    try {
      const answer = await call('GET', '/v1/status', {signal: controller.signal});
      if (!answer.ok || !answer.json) {
        body.replaceChildren(el('p', {class: 'error'}, describeFailure(answer)));
      } else {
        const s = answer.json;
        const facts = [
          ['replica', s.id],
          ['quorum', `${s.quorum} of ${s.members.length} members`],
          ['has quorum', s.has_quorum ? 'yes' : 'NO'],
          ['replicas reached (itself included)', s.reachable],
          ['change index', s.index],
          ['configuration version', s.config_version],
          ['removed from the cluster', s.removed ? 'YES' : 'no'],
        ];
        body.replaceChildren(
          el('table', {class: 'facts'}, el('tbody', {}, facts.map(([name, value]) =>
            el('tr', {}, el('th', {}, name), el('td', {class: name === 'has quorum' ? (s.has_quorum ? 'ok' : 'error') : ''},
              String(value)))))),
          el('h2', {}, 'Members'), memberTable(s.members),
          s.leaving ? [el('h2', {}, 'Leaving configuration (a membership change is running)'),
            memberTable(s.leaving)] : []);
      }
      stamp.textContent = `Updated ${new Date().toLocaleTimeString()}; every ${PERIOD_MS / 1000} s.`;
    } catch (error) {
      if (error.name === 'AbortError') return;
      body.replaceChildren(el('p', {class: 'error'}, `The replica did not answer: ${error.message}`));
    }
    if (!controller.signal.aborted) timer = setTimeout(poll, PERIOD_MS);
  }

  main.append(el('h1', {}, 'Cluster'), stamp, body);
  poll();
  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}
