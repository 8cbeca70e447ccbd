/* semper-document.c: not written yet */
#include "config.h"
