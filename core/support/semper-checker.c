/* semper-checker.c: not written yet */
#include "config.h"
