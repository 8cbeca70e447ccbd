/* semper-cms.c: not written yet */
#include "config.h"
