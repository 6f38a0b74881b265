/** Entry of the VRRP and checker child processes (forked by the parent with the role as argv[2]). */
import { runChild } from './child.js';
import { productionFactory } from './wiring.js';

runChild(productionFactory);
