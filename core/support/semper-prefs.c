/* semper-prefs.c: not written yet */
#include "config.h"
