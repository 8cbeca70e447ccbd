/* semper-money.c: not written yet */
#include "config.h"
