/* The advert backstop's methods (advert-backstop.c), added to the addon's exports by netio.c. */
#ifndef KEEPALIVED_TS_ADVERT_BACKSTOP_H
#define KEEPALIVED_TS_ADVERT_BACKSTOP_H
#include <node_api.h>

void advert_backstop_methods(napi_env env, napi_value exports);

#endif
