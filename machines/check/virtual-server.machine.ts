/**
 * One virtual server (keepalived virtual_server_t; ipwrapper.c init_service_vs,
 * update_quorum_state, perform_quorum_state, perform_svr_state's table side, clear_service_vs).
 *
 *   starting ─▶ running ∥ quorum:   up ⇄ down
 *                       ∥ checkers: active ⇄ suspended   (ha_suspend)
 *   running ─vs.shutdown─▶ stopped
 *
 * - starting: the service(s) and every real server that can go in (non-alpha, or present with
 *   weight 0 under inhibit_on_failure) are added, then quorum is decided once: "Gained quorum …"
 *   with quorum_up, or with a sorry server "Starting with quorum down …" and the sorry server in,
 *   or nothing at all (alpha without sorry server). An inhibited sorry server is then installed
 *   with weight 0.
 * - quorum: Σ effective weights of alive real servers against quorum ± hysteresis: down→up when
 *   sum ≥ quorum + hysteresis ("Gained quorum Q+H=T <= S for VS X"), up→down when sum == 0 or
 *   sum < quorum − hysteresis ("Lost quorum Q-H=T > S for VS X"). With a sorry server, losing
 *   quorum takes every alive real server out and puts the sorry server in; gaining it reverses
 *   that. quorum_up/quorum_down, the FIFO line and the alert mail follow.
 * - real servers report `rs.changed` (the virtual server issues the LbCommand, unless the sorry
 *   server is active and quorum is down) and then `rs.settled` (re-evaluate quorum).
 * - ha_suspend: `vs.address` (added/removed on a local interface) enables or suspends the
 *   checkers of every real server through `rs.enable`.
 * - vs.shutdown: every destination deleted ("Shutting down service …"), omega notifies, the
 *   service(s) deleted (lvs_flush_on_stop: the backend flushes; only the notifies remain), or, for
 *   a virtual server a reload removed, "Removing service …" with the real servers notified.
 * - vs.reload / vs.reloaded: a reload that kept this virtual server (reloadService), then quorum
 *   decided again with init_service_vs's wording.
 *
 * Output: `lvs.lb` events (LbCommands in keepalived's order) for the table port, `lvs.notify`,
 * `lvs.smtp`, `lvs.log`, `lvs.quorum`. No I/O.
 */
import { enqueueActions, setup, type AnyActorRef } from 'xstate';
import type { LvsEmitted, RsChangedEvent, RsEnableEvent, RsSettledEvent, VirtualServerInput } from './types.js';
import {
  addressChanged,
  clearService,
  reloadService,
  contextFromInput,
  gainQuorum,
  gainsQuorum,
  initService,
  loseQuorum,
  losesQuorum,
  preinstallSorry,
  quietStart,
  serverChanged,
  startsOnSorryServer,
  type VsContext,
  type VsOp,
} from './virtual-server.logic.js';

export type VirtualServerEvent =
  | RsChangedEvent
  | RsSettledEvent
  | { type: 'vs.address'; added: boolean }
  /** Stop (`stopping`, with lvs_flush_on_stop as `flush`), or a reload removed this virtual server. */
  | { type: 'vs.shutdown'; stopping?: boolean; flush?: 'full' | 'vs' }
  /** A reload kept this virtual server with this configuration (real servers, services, settings). */
  | { type: 'vs.reload'; input: VirtualServerInput }
  /** The reload is through (every real server reported): decide quorum as at start. */
  | { type: 'vs.reloaded' };

interface OpsEnqueue {
  emit(event: LvsEmitted): void;
  sendTo(to: AnyActorRef, event: RsEnableEvent): void;
  assign(patch: Partial<VsContext>): void;
}

function run(r: { context: VsContext; ops: VsOp[] }, enqueue: OpsEnqueue, system: { get: (id: string) => AnyActorRef | undefined }): void {
  const c = r.context;
  enqueue.assign({ ...c });
  for (const op of r.ops) {
    switch (op.op) {
      case 'log':
        enqueue.emit({ type: 'lvs.log', level: 'info', message: op.message });
        break;
      case 'lb':
        enqueue.emit({ type: 'lvs.lb', vs: c.name, command: op.command });
        break;
      case 'notify': {
        const { op: _op, ...rest } = op;
        enqueue.emit({ type: 'lvs.notify', vs: c.name, ...rest });
        break;
      }
      case 'smtp': {
        const { op: _op, ...rest } = op;
        enqueue.emit({ type: 'lvs.smtp', vs: c.name, ...rest });
        break;
      }
      case 'quorum':
        enqueue.emit({ type: 'lvs.quorum', vs: c.name, up: op.up, sum: op.sum, threshold: op.threshold });
        break;
      case 'enable':
        for (const s of c.servers) {
          const ref = system.get(s.systemId);
          if (ref) enqueue.sendTo(ref, { type: 'rs.enable', enabled: op.enabled });
        }
        break;
    }
  }
}

type Step = (c: VsContext) => { context: VsContext; ops: VsOp[] };

/** Run several steps in sequence on one context (one macrostep, one assign per step). */
function chain(c: VsContext, steps: Step[]): { context: VsContext; ops: VsOp[] } {
  let context = c;
  const ops: VsOp[] = [];
  for (const s of steps) {
    const r = s(context);
    context = r.context;
    ops.push(...r.ops);
  }
  return { context, ops };
}

export const virtualServerMachine = setup({
  types: {
    input: {} as VirtualServerInput,
    context: {} as VsContext,
    events: {} as VirtualServerEvent,
    emitted: {} as LvsEmitted,
  },
  guards: {
    /** init: the real servers added at start already reach quorum + hysteresis. */
    startsWithQuorum: ({ context }) => gainsQuorum(initService(context).context),
    /** init: below quorum with a sorry server that is not in yet. */
    startsOnSorryServer: ({ context }) => startsOnSorryServer(initService(context).context),
    checkersStartEnabled: ({ context }) => context.checkersEnabled,
    gainsQuorum: ({ context }) => gainsQuorum(context),
    losesQuorum: ({ context }) => losesQuorum(context),
    /** After a reload, below quorum: a sorry server that is not in yet goes in ("Starting with quorum down"). */
    needsSorryServer: ({ context }) => startsOnSorryServer(context),
    /** ha_suspend: this address change suspends the checkers (last address gone). */
    suspendsCheckers: ({ context }, p: { added: boolean }) => context.checkersEnabled && !addressChanged(context, p.added).context.checkersEnabled,
    /** ha_suspend: this address change activates the checkers. */
    activatesCheckers: ({ context }, p: { added: boolean }) => !context.checkersEnabled && addressChanged(context, p.added).context.checkersEnabled,
  },
  actions: {
    startWithQuorum: enqueueActions(({ context, enqueue, system }) => {
      run(chain(context, [initService, (c) => gainQuorum(c, true), preinstallSorry]), enqueue as unknown as OpsEnqueue, system);
    }),
    startOnSorryServer: enqueueActions(({ context, enqueue, system }) => {
      run(chain(context, [initService, (c) => loseQuorum(c, true), preinstallSorry]), enqueue as unknown as OpsEnqueue, system);
    }),
    startQuietly: enqueueActions(({ context, enqueue, system }) => {
      run(chain(context, [initService, quietStart, preinstallSorry]), enqueue as unknown as OpsEnqueue, system);
    }),
    applyServerChange: enqueueActions(({ context, enqueue, system }, p: { event: RsChangedEvent }) => {
      run(serverChanged(context, p.event), enqueue as unknown as OpsEnqueue, system);
    }),
    gainQuorum: enqueueActions(({ context, enqueue, system }) => {
      run(gainQuorum(context, false), enqueue as unknown as OpsEnqueue, system);
    }),
    loseQuorum: enqueueActions(({ context, enqueue, system }) => {
      run(loseQuorum(context, false), enqueue as unknown as OpsEnqueue, system);
    }),
    applyAddress: enqueueActions(({ context, enqueue, system }, p: { added: boolean }) => {
      run(addressChanged(context, p.added), enqueue as unknown as OpsEnqueue, system);
    }),
    shutDown: enqueueActions(({ context, enqueue, system }, p: { stopping: boolean; flush?: 'full' | 'vs' }) => {
      run(clearService(context, p), enqueue as unknown as OpsEnqueue, system);
    }),
    applyReload: enqueueActions(({ context, enqueue, system }, p: { input: VirtualServerInput }) => {
      run(reloadService(context, p.input), enqueue as unknown as OpsEnqueue, system);
    }),
    /** After a reload: quorum decided as init_service_vs does (init wording), then an inhibited sorry server at weight 0. */
    regainQuorum: enqueueActions(({ context, enqueue, system }) => {
      run(chain(context, [(c) => gainQuorum(c, true), preinstallSorry]), enqueue as unknown as OpsEnqueue, system);
    }),
    relinquishQuorum: enqueueActions(({ context, enqueue, system }) => {
      run(chain(context, [(c) => loseQuorum(c, true), preinstallSorry]), enqueue as unknown as OpsEnqueue, system);
    }),
    keepQuorum: enqueueActions(({ context, enqueue, system }) => {
      run(preinstallSorry(context), enqueue as unknown as OpsEnqueue, system);
    }),
  },
}).createMachine({
  id: 'lvsVirtualServer',
  description:
    'keepalived virtual_server_t (ipwrapper.c init_service_vs, update_quorum_state, perform_quorum_state, clear_service_vs): the table for one virtual server, quorum with hysteresis, sorry server, alpha, omega, ha_suspend.',
  context: ({ input }) => contextFromInput(input),
  initial: 'starting',
  states: {
    starting: {
      description: 'init_service_vs: service(s), real servers that can go in, then one quorum decision, then an inhibited sorry server at weight 0.',
      always: [
        { guard: 'startsWithQuorum', target: 'running.quorum.up', actions: 'startWithQuorum' },
        { guard: 'startsOnSorryServer', target: 'running.quorum.down', actions: 'startOnSorryServer' },
        { target: 'running.quorum.down', actions: 'startQuietly' },
      ],
    },
    running: {
      type: 'parallel',
      on: {
        'rs.changed': { actions: { type: 'applyServerChange', params: ({ event }) => ({ event }) } },
        'vs.shutdown': { target: 'stopped', actions: { type: 'shutDown', params: ({ event }) => ({ stopping: event.stopping ?? true, ...(event.flush ? { flush: event.flush } : {}) }) } },
        'vs.reload': { actions: { type: 'applyReload', params: ({ event }) => ({ input: event.input }) } },
      },
      states: {
        quorum: {
          description: 'update_quorum_state after every real-server change (rs.settled).',
          initial: 'down',
          states: {
            up: {
              description: 'Σ alive weights stayed ≥ quorum − hysteresis (and above 0); real servers are in the pool.',
              on: {
                'rs.settled': { guard: 'losesQuorum', target: 'down', actions: 'loseQuorum' },
                'vs.reloaded': [{ guard: 'losesQuorum', target: 'down', actions: 'relinquishQuorum' }, { actions: 'keepQuorum' }],
              },
            },
            down: {
              description: 'Below quorum: quorum_down ran; with a sorry server it alone is in the pool.',
              on: {
                'rs.settled': { guard: 'gainsQuorum', target: 'up', actions: 'gainQuorum' },
                'vs.reloaded': [
                  { guard: 'gainsQuorum', target: 'up', actions: 'regainQuorum' },
                  { guard: 'needsSorryServer', actions: 'relinquishQuorum' },
                  { actions: 'keepQuorum' },
                ],
              },
            },
          },
        },
        checkers: {
          description: 'ha_suspend: checkers run only while the virtual server address is on a local interface.',
          initial: 'deciding',
          states: {
            deciding: {
              always: [{ guard: 'checkersStartEnabled', target: 'active' }, { target: 'suspended' }],
            },
            active: {
              description: 'Checkers run (always, without ha_suspend).',
              on: {
                'vs.address': [
                  { guard: { type: 'suspendsCheckers', params: ({ event }) => ({ added: event.added }) }, target: 'suspended', actions: { type: 'applyAddress', params: ({ event }) => ({ added: event.added }) } },
                  { actions: { type: 'applyAddress', params: ({ event }) => ({ added: event.added }) } },
                ],
              },
            },
            suspended: {
              description: 'The address is gone: checkers reschedule at delay_loop with their state frozen.',
              on: {
                'vs.address': [
                  { guard: { type: 'activatesCheckers', params: ({ event }) => ({ added: event.added }) }, target: 'active', actions: { type: 'applyAddress', params: ({ event }) => ({ added: event.added }) } },
                  { actions: { type: 'applyAddress', params: ({ event }) => ({ added: event.added }) } },
                ],
              },
            },
          },
        },
      },
    },
    stopped: {
      description: 'Shut down: destinations and service(s) deleted; omega notified real servers and quorum down.',
      type: 'final',
    },
  },
});
