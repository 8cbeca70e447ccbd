/* semper-trust.c: not written yet */
#include "config.h"
