/* semper-crypto.c: not written yet */
#include "config.h"
