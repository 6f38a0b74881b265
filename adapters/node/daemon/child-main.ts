/** Entry of the VRRP and checker child processes (forked by the parent with the role as argv[2]). */
import { handleClosedOutput } from '../stdio.js';
import { runChild } from './child.js';
import { productionFactory } from './wiring.js';

// A console log (-l) whose reader went away must not stop a VRRP or checker child.
handleClosedOutput('ignore');
runChild(productionFactory);
