// The service commands' pure parts: the systemd units' text (written by setup where systemd
// runs; this machine has none), and how status and a failed start show the manager.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatUptime, logTail, readableLogLine } from '../../../src/cli/service/show.js';
import { agentUnit, checkUnitPath, managerUnit, unitEnvironment } from '../../../src/cli/service/units.js';

const paths = { node: '/usr/bin/node', cli: '/opt/capstan/dist/cli/main.js' };

/** The unit's settings, one [key, value] per line (comments and sections left out). */
const settings = (text: string): [string, string][] => text.split('\n')
  .filter((l) => /^[A-Za-z]+=/.test(l))
  .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
const value = (text: string, key: string): string[] => settings(text).filter(([k]) => k === key).map(([, v]) => v);

describe('the manager\'s unit', () => {
  const text = managerUnit({ ...paths, dataDir: '/var/lib/capstan' });

  it('runs `capstan manager run` on its data directory, logging to manager.log there', () => {
    assert.deepEqual(value(text, 'ExecStart'), ['/usr/bin/node /opt/capstan/dist/cli/main.js manager run']);
    assert.equal(unitEnvironment(text, 'CAPSTAN_DATA_DIR'), '/var/lib/capstan');
    assert.deepEqual(value(text, 'StandardOutput'), ['append:/var/lib/capstan/manager.log']);
    assert.deepEqual(value(text, 'StandardError'), ['inherit']);
    assert.deepEqual(value(text, 'Type'), ['simple']);
  });

  it('stops it with SIGTERM and a limit, restarts it when it fails, and starts it at boot once enabled', () => {
    assert.deepEqual(value(text, 'KillMode'), ['mixed']);
    assert.deepEqual(value(text, 'TimeoutStopSec'), ['60']);
    assert.deepEqual(value(text, 'Restart'), ['on-failure']);
    assert.deepEqual(value(text, 'WantedBy'), ['multi-user.target']);
    assert.match(text, /^\[Unit\]$/m);
    assert.match(text, /^\[Service\]$/m);
    assert.match(text, /^\[Install\]$/m);
    assert.ok(value(text, 'After')[0]?.includes('postgresql.service'), 'after a local PostgreSQL, if there is one');
  });
});

describe('the agent\'s unit', () => {
  const text = agentUnit({ ...paths, agentDir: '/etc/capstan/agent' });

  it('runs `capstan agent run` once configured, and stops only the agent: its WPARs keep running', () => {
    assert.deepEqual(value(text, 'ExecStart'), ['/usr/bin/node /opt/capstan/dist/cli/main.js agent run']);
    assert.equal(unitEnvironment(text, 'CAPSTAN_AGENT_DIR'), '/etc/capstan/agent');
    assert.deepEqual(value(text, 'ConditionPathExists'), ['/etc/capstan/agent/agent.json']);
    assert.deepEqual(value(text, 'KillMode'), ['process']);
    assert.deepEqual(value(text, 'StandardOutput'), ['append:/etc/capstan/agent/agent.log']);
    // capstan agent log-level signals the running agent with SIGHUP; systemctl reload does the same.
    assert.deepEqual(value(text, 'ExecReload'), ['/bin/kill -HUP $MAINPID']);
  });
});

describe('paths in units', () => {
  it('are written as they are, so any systemd would read otherwise is refused', () => {
    for (const bad of ['relative/dir', '/with space', '/per%cent', '/dollar$x', '/quote"d', '/back\\slash', '/new\nline', '']) {
      assert.throws(() => managerUnit({ ...paths, dataDir: bad }), /cannot be written into a systemd unit/, JSON.stringify(bad));
    }
    assert.throws(() => agentUnit({ ...paths, node: '/opt/my node/bin/node', agentDir: '/etc/capstan/agent' }), /the node binary/);
    assert.equal(checkUnitPath('/root/.nvm/versions/node/v20.20.2/bin/node', 'node'), '/root/.nvm/versions/node/v20.20.2/bin/node');
  });

  it('an installed unit\'s directory is read back from its Environment= line, quoted or not', () => {
    assert.equal(unitEnvironment('[Service]\nEnvironment="CAPSTAN_DATA_DIR=/srv/capstan"\n', 'CAPSTAN_DATA_DIR'), '/srv/capstan');
    assert.equal(unitEnvironment('[Service]\nEnvironment=OTHER=1\n', 'CAPSTAN_DATA_DIR'), undefined);
  });
});

describe('showing the manager', () => {
  it('uptime in its two largest units', () => {
    assert.equal(formatUptime(0), '0s');
    assert.equal(formatUptime(45.9), '45s');
    assert.equal(formatUptime(12 * 60 + 5), '12m 5s');
    assert.equal(formatUptime(3 * 3600 + 12 * 60 + 40), '3h 12m');
    assert.equal(formatUptime(2 * 86400 + 4 * 3600 + 59), '2d 4h');
    assert.equal(formatUptime(-5), '0s');
  });

  it('the end of its log, pino\'s lines made readable and others as they are', () => {
    assert.equal(readableLogLine('{"level":50,"msg":"unhandled error","err":{"message":"boom"}}'), 'ERROR unhandled error: boom');
    assert.equal(readableLogLine('{"level":30,"msg":"manager started"}'), 'INFO  manager started');
    assert.equal(readableLogLine('capstan: CAP-E0004 the resource is in use'), 'capstan: CAP-E0004 the resource is in use');
    assert.equal(readableLogLine('{"no":"msg"}'), '{"no":"msg"}');
    const text = ['a', '', 'b', 'c', '{"level":60,"msg":"d"}', ''].join('\n');
    assert.deepEqual(logTail(text, 2), ['c', 'FATAL d']);
  });
});
