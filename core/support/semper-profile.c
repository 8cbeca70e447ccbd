/* semper-profile.c: not written yet */
#include "config.h"
