/**
 * systemIds of the LVS subsystem's actors, from each one's identity in the configuration (FMT_VS,
 * FMT_RS, the checker's place), so the same config always gives the same ids and a reload finds
 * what it keeps.
 */
export const virtualServerId = (vsKey: string) => `lvs/vs/${vsKey}`;
export const realServerId = (vsKey: string, rsKey: string) => `lvs/rs/${vsKey}/${rsKey}`;
export const checkerId = (vsKey: string, rsKey: string, index: number) => `lvs/check/${vsKey}/${rsKey}/${index}`;
/** The LVS notifier: notify_up/down, quorum_up/down scripts, FIFO lines and alert mails, one at a time. */
export const LVS_NOTIFIER_ID = 'lvs/notifier';
