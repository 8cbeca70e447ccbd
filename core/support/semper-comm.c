/* semper-comm.c: not written yet */
#include "config.h"
