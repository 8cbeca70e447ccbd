/* semper-transfer.h: business items, packages and the transfer service of the
 * SEMPER exchange layer (docs/transfer.md).
 *
 * A business item is a payment (handed to the payment manager), a statement
 * (a signed document: order, contract, receipt, certificate, content) or a
 * credential (a signed access right, e.g. a subscription). A package is one
 * or more items with their descriptions, from a sender to a recipient (both
 * named by certificate fingerprint):
 *
 *   {"type":"semper-package","version":1,"id":"<32 hex>","sender":"<64 hex>",
 *    "recipient":"<64 hex>","created":UNIX,"receipt":true|false,
 *    "items":[{"kind":"payment"|"statement"|"credential","type":"<a-z0-9->",
 *              "description":TEXT,"content":"<base64>"}, …]}
 *
 * The transfer service sends a package with security attributes: signed by
 * the sender (non-repudiation of origin: CMS SignedData), enveloped to the
 * recipient (confidentiality: CMS EnvelopedData), or both (enveloped signed
 * data). The receiver checks everything, archives what it got raw, hands
 * payments to the payment manager, and, when the package asks for it, signs
 * a receipt of delivery:
 *
 *   Sig_R({"type":"semper-delivery-receipt","version":1,"package":"<id>",
 *          "sha256":"<H(what was received)>","sender":…,"recipient":…,"received":UNIX})
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "semper-archive.h"
#include "semper-comm-client.h"
#include "semper-comm-server.h"
#include "semper-crypto.h"
#include "semper-trust.h"

G_BEGIN_DECLS

#define SEMPER_TRANSFER_ERROR (semper_transfer_error_quark ())

typedef enum {
  SEMPER_TRANSFER_ERROR_INVALID,     /* not a well-formed package or receipt */
  SEMPER_TRANSFER_ERROR_INSECURE,    /* a required security attribute is missing */
  SEMPER_TRANSFER_ERROR_NOT_FOR_US,  /* addressed to another party */
  SEMPER_TRANSFER_ERROR_FORGED,      /* a signature does not verify or names another party */
  SEMPER_TRANSFER_ERROR_REFUSED,     /* an item was not taken (no payment manager, …) */
} SemperTransferError;

GQuark semper_transfer_error_quark (void);

/* Limits of the format (the parsers refuse anything larger). */
#define SEMPER_PACKAGE_MAX_ITEMS   64
#define SEMPER_ITEM_MAX_CONTENT    (4 * 1024 * 1024)

typedef enum {
  SEMPER_ITEM_PAYMENT,
  SEMPER_ITEM_STATEMENT,
  SEMPER_ITEM_CREDENTIAL,
} SemperItemKind;

/**
 * SemperItem:
 * @type: what it is: a payment system ("ecash", "account"), a statement's
 *   kind ("order", "contract", "receipt", "certificate", "content"), a
 *   credential's ("access-right", "subscription"); 1 to 32 of a-z 0-9 -
 * @description: one line for the user, at most 1024 bytes
 * @content: a payment's proof; a statement's or credential's CMS SignedData
 */
typedef struct {
  SemperItemKind  kind;
  char           *type;
  char           *description;
  GBytes         *content;
} SemperItem;

SemperItem *semper_item_new  (SemperItemKind  kind,
                              const char     *type,
                              const char     *description,
                              GBytes         *content);
void        semper_item_free (SemperItem     *item);

typedef struct {
  char      *id;         /* 32 hex */
  char      *sender;     /* 64 hex: SHA-256 of the sender's certificate */
  char      *recipient;  /* 64 hex */
  gint64     created;
  gboolean   receipt;    /* a signed receipt of delivery is asked for */
  GPtrArray *items;      /* (element-type SemperItem) */
} SemperPackage;

/* A fresh id, created now, no items yet. Returns: (transfer full) */
SemperPackage *semper_package_new      (const char           *sender,
                                        const char           *recipient,
                                        gboolean              receipt);
/* @item: (transfer full) */
void           semper_package_add_item (SemperPackage        *self,
                                        SemperItem           *item);
GBytes        *semper_package_to_json  (const SemperPackage  *self);
/* Strict parser (the fuzz target). Returns: (transfer full) (nullable) */
SemperPackage *semper_package_parse    (GBytes               *json,
                                        GError              **error);
void           semper_package_free     (SemperPackage        *self);

typedef enum {
  SEMPER_TRANSFER_PLAIN     = 0,
  SEMPER_TRANSFER_SIGNED    = 1 << 0,  /* non-repudiation of origin */
  SEMPER_TRANSFER_ENCRYPTED = 1 << 1,  /* confidentiality */
} SemperTransferAttributes;

/* What goes on the wire: the package's JSON, signed and/or enveloped to
 * @recipient_cert (DER; needed for ENCRYPTED). Returns: (transfer full) */
GBytes        *semper_transfer_seal    (SemperCrypto              *sender,
                                        const SemperPackage       *package,
                                        SemperTransferAttributes   attributes,
                                        GBytes                    *recipient_cert,
                                        GError                   **error);

/* Hands one payment item to the payment manager; FALSE refuses the package. */
typedef gboolean (*SemperTransferPaymentFunc) (const SemperPackage  *package,
                                               const SemperItem     *item,
                                               gpointer              user_data,
                                               GError              **error);

/* The receiver (@recipient's key): opens and verifies @wire, refuses it
 * unless it carries every attribute in @required, is addressed to
 * @recipient, is signed (when signed) by its sender, and every statement
 * and credential verifies under @trust; archives @wire raw in @archive
 * (nullable), hands payment items to @payment_func, and makes the receipt of
 * delivery when the package asks for one (also archived).
 * @out_attributes: (out) (optional) @out_receipt: (out) (optional) (nullable)
 * Returns: (transfer full) (nullable): the package */
SemperPackage *semper_transfer_receive (SemperCrypto              *recipient,
                                        SemperTrust               *trust,
                                        SemperArchive             *archive,
                                        GBytes                    *wire,
                                        SemperTransferAttributes   required,
                                        SemperTransferPaymentFunc  payment_func,
                                        gpointer                   user_data,
                                        SemperTransferAttributes  *out_attributes,
                                        GBytes                   **out_receipt,
                                        GError                   **error);

typedef struct {
  char   *package;    /* the package id */
  char   *sha256;     /* H(wire) */
  char   *sender;
  char   *recipient;
  gint64  received;
} SemperDeliveryReceipt;

/* Strict parser of the receipt's JSON (the fuzz target). */
SemperDeliveryReceipt *semper_delivery_receipt_parse (GBytes                 *json,
                                                      GError                **error);
void                   semper_delivery_receipt_free  (SemperDeliveryReceipt  *self);
/* The sender's check: @receipt is signed by the package's recipient under
 * @trust and names exactly @wire. Returns: (transfer full) (nullable) */
SemperDeliveryReceipt *semper_transfer_check_receipt (GBytes                 *receipt,
                                                      SemperTrust            *trust,
                                                      const SemperPackage    *package,
                                                      GBytes                 *wire,
                                                      GError                **error);

/* Over HTTP. The receiver: POST @path runs semper_transfer_receive() and
 * answers the receipt of delivery (CMS) when the package asks for one,
 * {"package":"<id>"} (JSON) otherwise, or a refusal (400). The objects are
 * kept for as long as the route lives. */
void      semper_transfer_add_route (SemperCommServer           *server,
                                     const char                 *path,
                                     SemperCrypto               *recipient,
                                     SemperTrust                *trust,
                                     SemperArchive              *archive,
                                     SemperTransferAttributes    required,
                                     SemperTransferPaymentFunc   payment_func,
                                     gpointer                    user_data);
/* The sender: posts @wire to @url. @out_receipt: (out) (optional)
 * (nullable): the receipt of delivery, if the receiver sent one. */
gboolean  semper_transfer_send      (SemperCommClient           *client,
                                     const char                 *url,
                                     GBytes                     *wire,
                                     GBytes                    **out_receipt,
                                     GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperItem, semper_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperPackage, semper_package_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SemperDeliveryReceipt, semper_delivery_receipt_free)

G_END_DECLS
