/* wallet-exchanges.h: the exchanges of the open profile, for the Activity and Contracts pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "semper-profile.h"
#include "wallet-consent-port.h"

G_BEGIN_DECLS

/* What a person sees of an exchange's state. */
typedef enum {
  WALLET_EXCHANGE_NEGOTIATING,   /* started, nothing signed by the other side yet */
  WALLET_EXCHANGE_NEEDS_YOU,     /* waiting for the user's decision */
  WALLET_EXCHANGE_WAITING,       /* waiting for the other party (merchant, peer) */
  WALLET_EXCHANGE_RESOLVING,     /* aborting or resolving with the TTP */
  WALLET_EXCHANGE_DONE,
  WALLET_EXCHANGE_ABORTED,
  WALLET_EXCHANGE_FAILED,
  WALLET_EXCHANGE_SUSPENDED,     /* the user stopped it; not retried until resumed */
} WalletExchangeStatus;

typedef struct {
  char                 *id;
  char                 *protocol;
  char                 *role;        /* "originator", "responder", … as journaled */
  char                 *state;       /* the protocol's own state name */
  char                 *title;       /* (nullable) */
  char                 *peer;        /* (nullable): certified name or fingerprint */
  gboolean              finished;
  gint64                updated;     /* unix seconds */
  gint64                deadline;    /* unix seconds, 0 if none */
  WalletExchangeStatus  status;
  char                 *last_error;  /* (nullable): why the last action on it failed */
  gboolean              suspended;   /* semper-suspend.h */
  char                 *ttp_url;     /* (nullable): the TTP named in its journal */
  char                 *system;      /* (nullable): a purchase's payment system */
  gboolean              by_ttp;      /* a purchase the TTP finished (no m4 from the merchant) */
} WalletExchangeItem;

void wallet_exchange_item_free (WalletExchangeItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WalletExchangeItem, wallet_exchange_item_free)

const char *wallet_exchange_status_to_string (WalletExchangeStatus      status);
char       *wallet_exchange_item_describe    (const WalletExchangeItem *item);
gboolean    wallet_exchange_item_can_accept  (const WalletExchangeItem *item);
gboolean    wallet_exchange_item_can_abort   (const WalletExchangeItem *item);
gboolean    wallet_exchange_item_can_resolve (const WalletExchangeItem *item);
gboolean    wallet_exchange_item_can_retry   (const WalletExchangeItem *item);
gboolean    wallet_exchange_item_can_suspend (const WalletExchangeItem *item);
gboolean    wallet_exchange_item_can_resume  (const WalletExchangeItem *item);
gboolean    wallet_exchange_item_can_dispute (const WalletExchangeItem *item);
const char *wallet_exchange_item_kind        (const WalletExchangeItem *item);
const char *wallet_exchange_item_abort_means (const WalletExchangeItem *item);

/* Core calls on the profile outside the main thread run under this lock:
 * SemperArchive and SemperContractSigning are not thread-safe. */
void wallet_exchanges_worker_lock   (void);
void wallet_exchanges_worker_unlock (void);

#define WALLET_TYPE_EXCHANGES (wallet_exchanges_get_type ())
G_DECLARE_FINAL_TYPE (WalletExchanges, wallet_exchanges, WALLET, EXCHANGES, GObject)

typedef enum {
  WALLET_EXCHANGES_REFRESH,
  WALLET_EXCHANGES_RESUME_ALL,
  WALLET_EXCHANGES_FETCH,
  WALLET_EXCHANGES_STEP,
  WALLET_EXCHANGES_ABORT,
  WALLET_EXCHANGES_RESOLVE,
  WALLET_EXCHANGES_DECLINE,
  WALLET_EXCHANGES_ACCEPT,
  WALLET_EXCHANGES_PROPOSE,
  WALLET_EXCHANGES_SUSPEND,
  WALLET_EXCHANGES_RESUME,       /* one exchange, lifting its suspension */
} WalletExchangesOp;

WalletExchanges *wallet_exchanges_new            (SemperProfile        *profile,
                                                  WalletConsentPort    *port);
SemperProfile   *wallet_exchanges_get_profile    (WalletExchanges      *self);
GPtrArray       *wallet_exchanges_get_items      (WalletExchanges      *self);
gboolean         wallet_exchanges_is_busy        (WalletExchanges      *self);
const char      *wallet_exchanges_get_activity   (WalletExchanges      *self);
const char      *wallet_exchanges_get_busy_id    (WalletExchanges      *self);
char            *wallet_exchanges_dup_ttp_url    (WalletExchanges      *self);

void             wallet_exchanges_run_async      (WalletExchanges      *self,
                                                  WalletExchangesOp     op,
                                                  const char           *id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
void             wallet_exchanges_fetch_async    (WalletExchanges      *self,
                                                  const char           *ttp_url,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
void             wallet_exchanges_propose_async  (WalletExchanges      *self,
                                                  GBytes               *text,
                                                  GBytes               *responder_cert,
                                                  const char           *ttp_url,
                                                  gint64                deadline,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char            *wallet_exchanges_run_finish     (WalletExchanges      *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
