/* semper-archive.c: not written yet */
#include "config.h"
